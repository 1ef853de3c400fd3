/**
 * Pure helpers for the Kernel page: the words for a pool's settings, the edit form's draft and what a
 * save would change, lengths of wait, and the geometry of the charts.
 */
import type { KernelPoolSettings } from "@/app/_lib/trpc-types";
import { POLICY_INFO, type Policy } from "@/server/kernel/scheduler/policy";

export type NumberSetting = Exclude<keyof KernelPoolSettings, "policy">;

type SettingInfo = { label: string; hint: string; unit?: string };

/** The limits every pool has, in the order the page lists them; all but concurrency may be "no limit". */
export const LIMITS = [
  "concurrency",
  "requestsPerMinute",
  "tokensPerMinute",
  "tenantConcurrency",
  "tenantRequestsPerMinute",
  "tenantTokensPerMinute",
] as const satisfies readonly NumberSetting[];

export const SETTING_INFO: Record<NumberSetting, SettingInfo> = {
  concurrency: { label: "Concurrency", hint: "Syscalls running at once, all tenants together." },
  requestsPerMinute: { label: "Requests per minute", hint: "All tenants together." },
  tokensPerMinute: { label: "Tokens per minute", hint: "All tenants together (model pools)." },
  tenantConcurrency: { label: "Concurrency per tenant", hint: "Syscalls one tenant may run at once." },
  tenantRequestsPerMinute: { label: "Requests per minute per tenant", hint: "For each tenant." },
  tenantTokensPerMinute: { label: "Tokens per minute per tenant", hint: "For each tenant (model pools)." },
  agingPerSecond: {
    label: "Aging",
    hint: "Priority points a waiting syscall gains per second, so none starves (0: none).",
    unit: " per second",
  },
  defaultDeadlineMs: {
    label: "Default deadline",
    hint: "For a syscall that names no deadline, counted from when it was queued.",
    unit: " ms",
  },
};

/** The settings that only one policy uses, shown only with it. */
export function appliesTo(key: NumberSetting, policy: Policy): boolean {
  if (key === "agingPerSecond") return policy === "priority";
  if (key === "defaultDeadlineMs") return policy === "deadline";
  return true;
}

const isLimit = (key: NumberSetting): boolean => key !== "agingPerSecond" && key !== "defaultDeadlineMs";
const mayBeNone = (key: NumberSetting): boolean => isLimit(key) && key !== "concurrency";

/** A setting's value in words: "3,000", "No limit", "60,000 ms", "First in, first out". */
export function formatSetting(key: keyof KernelPoolSettings, value: string | number | null): string {
  if (key === "policy") return typeof value === "string" && value in POLICY_INFO ? policyLabel(value) : "–";
  if (value === null) return "No limit";
  if (typeof value === "string") return value;
  return `${value.toLocaleString("en")}${SETTING_INFO[key].unit ?? ""}`;
}

function policyLabel(policy: string): string {
  const info: Partial<Record<string, { label: string }>> = POLICY_INFO;
  return info[policy]?.label ?? policy;
}

// ─── The edit form ───────────────────────────────────────────────────────────────────────────────

/** What the form's fields hold: numbers as typed, an empty limit meaning "no limit". */
export type Draft = { policy: Policy } & Record<NumberSetting, string>;

const NUMBER_SETTINGS = [
  ...LIMITS,
  "agingPerSecond",
  "defaultDeadlineMs",
] as const satisfies readonly NumberSetting[];

export function draftOf(settings: KernelPoolSettings): Draft {
  const draft: Draft = {
    policy: settings.policy,
    concurrency: "",
    requestsPerMinute: "",
    tokensPerMinute: "",
    tenantConcurrency: "",
    tenantRequestsPerMinute: "",
    tenantTokensPerMinute: "",
    agingPerSecond: "",
    defaultDeadlineMs: "",
  };
  for (const key of NUMBER_SETTINGS) {
    const value = settings[key];
    draft[key] = value === null ? "" : String(value);
  }
  return draft;
}

export type DraftResult =
  { ok: true; settings: KernelPoolSettings } | { ok: false; errors: Partial<Record<NumberSetting, string>> };

/**
 * The draft as settings, or what is not a number. Ranges and whole numbers are the server's to check
 * (its messages appear beside the same fields), so the two never disagree.
 */
export function parseDraft(draft: Draft): DraftResult {
  const errors: Partial<Record<NumberSetting, string>> = {};
  const numbers: Partial<Record<NumberSetting, number | null>> = {};
  for (const key of NUMBER_SETTINGS) {
    const text = draft[key].trim().replaceAll(",", "");
    if (text === "") {
      if (mayBeNone(key)) numbers[key] = null;
      else errors[key] = "Enter a number";
      continue;
    }
    const value = Number(text);
    if (Number.isFinite(value)) numbers[key] = value;
    else errors[key] = mayBeNone(key) ? "Enter a number, or leave it empty for no limit" : "Enter a number";
  }
  const number = (key: NumberSetting) => numbers[key] ?? null;
  const required = (key: NumberSetting) => numbers[key] ?? 0;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      policy: draft.policy,
      concurrency: required("concurrency"),
      requestsPerMinute: number("requestsPerMinute"),
      tokensPerMinute: number("tokensPerMinute"),
      tenantConcurrency: number("tenantConcurrency"),
      tenantRequestsPerMinute: number("tenantRequestsPerMinute"),
      tenantTokensPerMinute: number("tenantTokensPerMinute"),
      agingPerSecond: required("agingPerSecond"),
      defaultDeadlineMs: required("defaultDeadlineMs"),
    },
  };
}

export type SettingChange = { key: keyof KernelPoolSettings; label: string; from: string; to: string };

/** What saving `after` over `before` changes, in the page's order and words. */
export function describeChanges(before: KernelPoolSettings, after: KernelPoolSettings): SettingChange[] {
  const changes: SettingChange[] = [];
  if (before.policy !== after.policy)
    changes.push({
      key: "policy",
      label: "Policy",
      from: formatSetting("policy", before.policy),
      to: formatSetting("policy", after.policy),
    });
  for (const key of NUMBER_SETTINGS)
    if (before[key] !== after[key])
      changes.push({
        key,
        label: SETTING_INFO[key].label,
        from: formatSetting(key, before[key]),
        to: formatSetting(key, after[key]),
      });
  return changes;
}

// ─── Numbers ─────────────────────────────────────────────────────────────────────────────────────

/** A wait: "–" for none, "0.4 ms", "35 ms", "1.2 s", "2.5 min". */
export function formatWait(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Per-minute rates and weights: whole numbers as they are, others to two decimals at most. */
export function formatNumber(n: number): string {
  return n.toLocaleString("en", { maximumFractionDigits: 2 });
}

/** Jain's index to two decimals, or a dash when no tenant asked for anything in the window. */
export function formatFairness(index: number | null): string {
  return index === null ? "–" : index.toFixed(2);
}

// ─── Charts ──────────────────────────────────────────────────────────────────────────────────────

/** The top of a chart's scale: the peak rounded up to 1, 2 or 5 times a power of ten (at least 1). */
export function scaleMax(values: readonly (number | null)[]): number {
  const peak = Math.max(0, ...values.filter((v) => v !== null));
  if (peak <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(peak));
  const step = [1, 2, 5, 10].find((s) => s * power >= peak) ?? 10;
  return step * power;
}

export type Box = { width: number; height: number; max: number };

/** One bar per value, left to right, each as wide as its slot less a gap. */
export function barRects(
  values: readonly number[],
  box: Box,
): { x: number; y: number; width: number; height: number }[] {
  const slot = box.width / Math.max(1, values.length);
  const gap = Math.min(2, slot / 4);
  return values.map((v, i) => {
    const height = (Math.max(0, v) / box.max) * box.height;
    return { x: i * slot + gap / 2, y: box.height - height, width: slot - gap, height };
  });
}

/**
 * An SVG path through the values, a point at the middle of each slot; a null (nothing to measure that
 * minute) breaks the line rather than drawing it down to zero.
 */
export function linePath(values: readonly (number | null)[], box: Box): string {
  const slot = box.width / Math.max(1, values.length);
  let path = "";
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null) {
      drawing = false;
      return;
    }
    const x = round(i * slot + slot / 2);
    const y = round(box.height - (Math.max(0, v) / box.max) * box.height);
    path += `${drawing ? "L" : "M"}${x} ${y} `;
    drawing = true;
  });
  return path.trim();
}

const round = (n: number) => Math.round(n * 100) / 100;
