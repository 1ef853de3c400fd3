"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { focusRing } from "@/app/_components/ui/styles";

type TenantLink = { slug: string; name: string };

/**
 * The current tenant, and a disclosure listing the user's tenants as links (not a <select> that
 * navigates on change, so keyboard users can look through it without leaving the page). It closes on
 * Escape (focus returns to the button), on a click outside, and when the page changes.
 */
export function TenantSwitcher({
  current,
  tenants,
}: {
  current: TenantLink;
  tenants: readonly TenantLink[];
}) {
  const pathname = usePathname();
  // Open only on the page where it was opened: navigating away closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      if (event.target instanceof Node && !rootRef.current?.contains(event.target)) setOpenOn(null);
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "Escape") return;
      setOpenOn(null);
      buttonRef.current?.focus();
    }
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [open]);

  return (
    <div ref={rootRef} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpenOn(open ? null : pathname)}
        className={`flex w-full items-center justify-between gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-left shadow-xs hover:bg-slate-50 ${focusRing}`}
      >
        <span className="min-w-0">
          <span className="block text-xs font-medium text-slate-600">Tenant</span>
          <span className="block truncate text-sm font-semibold text-slate-900">{current.name}</span>
        </span>
        <span
          aria-hidden="true"
          className={`text-slate-500 transition-transform ${open ? "rotate-180" : ""}`}
        >
          ▾
        </span>
        <span className="sr-only">: switch tenant</span>
      </button>
      <div
        id={panelId}
        hidden={!open}
        className="absolute inset-x-0 z-10 mt-1 rounded-md border border-slate-200 bg-white p-1 shadow-lg"
      >
        <ul aria-label="Your tenants">
          {tenants.map((t) => (
            <li key={t.slug}>
              <Link
                href={`/t/${t.slug}`}
                aria-current={t.slug === current.slug ? "true" : undefined}
                onClick={() => setOpenOn(null)}
                className={`flex items-center justify-between rounded px-3 py-2 text-sm text-slate-800 hover:bg-slate-100 ${focusRing}`}
              >
                <span className="truncate">{t.name}</span>
                {t.slug === current.slug ? (
                  <span aria-hidden="true" className="text-indigo-700">
                    ✓
                  </span>
                ) : null}
              </Link>
            </li>
          ))}
        </ul>
        <div className="mt-1 border-t border-slate-200 pt-1">
          <Link
            href="/tenants/new"
            onClick={() => setOpenOn(null)}
            className={`block rounded px-3 py-2 text-sm font-medium text-indigo-700 hover:bg-slate-100 ${focusRing}`}
          >
            Create a tenant
          </Link>
        </div>
      </div>
    </div>
  );
}
