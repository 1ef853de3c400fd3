import type { FacilityTicket, SpaceKind } from "@/app/_lib/trpc-types";

export const KIND_LABELS: Record<SpaceKind, string> = { room: "Room", desk: "Desk", equipment: "Equipment" };

export const PRIORITY_LABELS: Record<FacilityTicket["priority"], string> = {
  low: "Low",
  normal: "Normal",
  high: "High",
  urgent: "Urgent",
};

export const TICKET_STATUS_LABELS: Record<FacilityTicket["status"], string> = {
  open: "Open",
  in_progress: "In progress",
  resolved: "Resolved",
  closed: "Closed",
};

export const th = "px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase";
export const td = "px-3 py-3 text-sm text-slate-800";
