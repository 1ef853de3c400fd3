import { PageHeader } from "./card";

/** What a member sees on a page their role may not use: the page's title and who may. */
export function RestrictedPage({ title, message }: { title: string; message: string }) {
  return (
    <>
      <PageHeader title={title} />
      <p
        role="status"
        className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-800"
      >
        {message}
      </p>
    </>
  );
}
