import type { Metadata } from "next";
import Link from "next/link";
import { AuthShell } from "@/app/_components/auth-shell";
import { linkClass } from "@/app/_components/ui/styles";
import { requireUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { previewLink } from "@/server/requests/approvals";
import { LinkConfirmation } from "./link-confirmation";

export const metadata: Metadata = { title: "Confirm your decision" };

/**
 * Where an approval mail's "Approve" and "Deny" links lead: it shows what the link would decide and
 * decides only when the approver confirms (a GET changes nothing, so mail scanners cannot approve).
 * Outside the tenant layout, since the link names no tenant; the link must be the signed-in person's.
 */
export default async function ApproveLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await requireUser(`/approve/${encodeURIComponent(token)}`);
  const preview = await previewLink(getDb(), token, user.userId);
  if (preview.state !== "valid") {
    const title = {
      unknown: "Link not valid",
      expired: "Link expired",
      used: "Link already used",
    }[preview.state];
    return (
      <AuthShell
        title={title}
        footer={
          <Link href="/" className={linkClass}>
            Back to Tenet
          </Link>
        }
      >
        <p role="alert" className="text-sm text-slate-800">
          {preview.message}
        </p>
      </AuthShell>
    );
  }
  const { item, decision, tenantSlug, commentOnDeny } = preview;
  return (
    <AuthShell
      wide
      title={decision === "approve" ? "Approve this request?" : "Deny this request?"}
      footer={
        <Link href={`/t/${tenantSlug}/approvals`} className={linkClass}>
          Open your approvals inbox
        </Link>
      }
    >
      <dl className="space-y-2 text-sm">
        <div>
          <dt className="font-semibold text-slate-700">Request</dt>
          <dd className="text-slate-900">{item.request.title}</dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-700">Asked by</dt>
          <dd className="text-slate-900">{item.request.requester.name}</dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-700">Approval</dt>
          <dd className="text-slate-900">
            {item.levelName}
            {item.forName ? ` (for ${item.forName})` : ""}
          </dd>
        </div>
        {item.reason ? (
          <div>
            <dt className="font-semibold text-slate-700">Reason</dt>
            <dd className="text-slate-900">{item.reason}</dd>
          </div>
        ) : null}
      </dl>
      {item.plan.length > 0 ? (
        <section aria-labelledby="plan-heading" className="mt-4">
          <h2 id="plan-heading" className="text-sm font-semibold text-slate-700">
            What will happen
          </h2>
          <ul className="mt-1 list-disc space-y-1 pl-5 text-sm text-slate-900">
            {item.plan.map((step) => (
              <li key={step.key}>{step.description}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <div className="mt-6">
        <LinkConfirmation
          token={token}
          decision={decision}
          commentRequired={decision === "deny" && commentOnDeny}
          requestHref={`/t/${tenantSlug}/requests/${item.request.id}`}
        />
      </div>
    </AuthShell>
  );
}
