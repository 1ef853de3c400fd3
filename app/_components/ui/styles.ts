/** Shared class lists, so every control has the same visible focus ring and sizing. */
export const focusRing =
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600";

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs " +
  "placeholder:text-slate-500 focus:border-indigo-600 focus:outline-2 focus:outline-offset-0 focus:outline-indigo-600 " +
  "aria-invalid:border-red-600 read-only:bg-slate-50 disabled:cursor-not-allowed disabled:bg-slate-100";

export const linkClass = `font-medium text-indigo-700 underline-offset-2 hover:underline rounded-sm ${focusRing}`;
