"use client";

import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { inputClass } from "@/app/_components/ui/styles";
import { RoleBadge } from "@/app/_components/tenant/role-badge";
import { formatDate } from "@/app/_lib/format";
import type { Member, Role, RoleOption } from "@/app/_lib/trpc-types";

type MemberRowProps = {
  member: Member;
  /** The id of the "Role" column header, which describes each row's role picker. */
  roleHeaderId: string;
  isYou: boolean;
  /** Present for owners and admins: the controls to change the role and remove the member. */
  manage?: {
    roles: readonly RoleOption[];
    busy: boolean;
    onChangeRole: (role: Role) => void;
    onRemove: () => void;
  };
};

export function MemberRow({ member, roleHeaderId, isYou, manage }: MemberRowProps) {
  const [confirming, setConfirming] = useState(false);
  return (
    <tr className="align-middle">
      <td className="py-3 pr-4 pl-4 text-sm font-medium whitespace-nowrap text-slate-900 sm:pl-6">
        {member.name}
        {isYou ? <span className="ml-2 text-xs font-normal text-slate-600">(you)</span> : null}
      </td>
      <td className="px-3 py-3 text-sm text-slate-700">{member.email}</td>
      <td className="px-3 py-3 text-sm">
        {manage ? (
          <select
            // Named by the member and described by the column header: the page's one control
            // *labelled* "Role" is the invite form's, so `getByLabel("Role")` finds exactly that.
            aria-label={member.name}
            aria-describedby={roleHeaderId}
            value={member.role}
            disabled={manage.busy}
            onChange={(e) => {
              const role = manage.roles.find((r) => r.value === e.target.value)?.value;
              if (role && role !== member.role) manage.onChangeRole(role);
            }}
            className={`${inputClass} w-36 min-w-36 py-1.5 capitalize`}
          >
            {manage.roles.map((r) => (
              <option key={r.value} value={r.value}>
                {r.value}
              </option>
            ))}
          </select>
        ) : (
          <RoleBadge role={member.role} />
        )}
      </td>
      <td className="px-3 py-3 text-sm whitespace-nowrap text-slate-700">{formatDate(member.joinedAt)}</td>
      {manage ? (
        <td className="py-3 pr-4 pl-3 text-right text-sm whitespace-nowrap sm:pr-6">
          {confirming ? (
            <span className="inline-flex items-center gap-2">
              <span className="text-slate-800">Remove {isYou ? "yourself" : member.name}?</span>
              <Button
                variant="danger"
                size="sm"
                pending={manage.busy}
                onClick={() => {
                  setConfirming(false);
                  manage.onRemove();
                }}
              >
                Yes, remove
              </Button>
              <Button variant="secondary" size="sm" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </span>
          ) : (
            <Button variant="secondary" size="sm" disabled={manage.busy} onClick={() => setConfirming(true)}>
              Remove<span className="sr-only"> {member.name}</span>
            </Button>
          )}
        </td>
      ) : null}
    </tr>
  );
}
