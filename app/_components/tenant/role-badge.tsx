export function RoleBadge({ role }: { role: string }) {
  return (
    <span className="inline-flex items-center rounded-full bg-indigo-50 px-2.5 py-0.5 text-xs font-medium text-indigo-800 capitalize ring-1 ring-indigo-200 ring-inset">
      {role}
    </span>
  );
}
