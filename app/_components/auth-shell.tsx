import type { ReactNode } from "react";

/** The centred card that public pages (sign-in, sign-up, invitations) share. */
export function AuthShell({
  title,
  description,
  children,
  footer,
  wide = false,
}: {
  /** Omitted when the content renders its own heading (e.g. once data has loaded). */
  title?: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className={`w-full ${wide ? "max-w-lg" : "max-w-md"}`}>
        <p className="mb-6 text-center text-lg font-bold tracking-tight text-indigo-700">Tenet</p>
        <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
          {title ? <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1> : null}
          {description ? <div className="mt-2 text-sm text-slate-700">{description}</div> : null}
          <div className={title ? "mt-6" : ""}>{children}</div>
        </div>
        {footer ? <div className="mt-6 text-center text-sm text-slate-700">{footer}</div> : null}
      </div>
    </main>
  );
}
