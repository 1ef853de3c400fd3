import type { AuditEntryInput } from "./entry";

/** A small deterministic PRNG (mulberry32), so a failing randomized test can be replayed by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
};

/** Varied entries for tests and benchmarks: every actor type, optional fields set and unset, nested detail. */
export function sampleEntry(i: number, random: () => number): AuditEntryInput {
  const actorType = pick(random, ["user", "agent", "workflow", "system"] as const);
  const agentish = actorType === "agent" || actorType === "workflow";
  return {
    actor: {
      type: actorType,
      id: actorType === "system" ? null : `actor-${i % 17}`,
      label: `Actor ${i % 17}`,
    },
    onBehalfOf: agentish ? { id: `user-${i % 5}`, label: `Person ${i % 5}` } : null,
    action: pick(random, ["syscall.decided", "member.role_changed", "auth.signed_in", "tool.called"]),
    resource:
      random() < 0.7 ? { type: "thing", id: `thing-${i}`, label: `Thing “${i}”, with, commas` } : null,
    outcome: pick(random, [
      "allowed",
      "denied",
      "approval_required",
      "succeeded",
      "failed",
      "recorded",
    ] as const),
    reasons: random() < 0.5 ? [`policy-${i % 3}`] : [],
    detail: {
      i,
      ratio: Math.round(random() * 1e6) / 1e3,
      flags: [random() < 0.5, null, "x"],
      nested: { note: `note ${i}\nsecond line`, depth: { n: i * 2 } },
    },
  };
}
