import Link from "next/link";
import { linkClass } from "@/app/_components/ui/styles";

export const metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-6 py-12">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight text-slate-900">Not found</h1>
      <p className="mt-3 text-slate-700">This page does not exist, or you do not have access to it.</p>
      <p className="mt-6">
        <Link href="/" className={linkClass}>
          Go to your home page
        </Link>
      </p>
    </main>
  );
}
