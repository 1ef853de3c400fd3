import type { ReactNode } from "react";

/**
 * An error (role="alert", announced at once) or a confirmation (role="status", announced politely).
 * Renders nothing without children, so it can stay mounted and announce when a message appears.
 */
export function Alert({ tone = "error", children }: { tone?: "error" | "success"; children: ReactNode }) {
  if (!children) return null;
  const styles =
    tone === "error"
      ? "border-red-200 bg-red-50 text-red-800"
      : "border-emerald-200 bg-emerald-50 text-emerald-900";
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={`rounded-md border px-3 py-2 text-sm ${styles}`}
    >
      {children}
    </div>
  );
}
