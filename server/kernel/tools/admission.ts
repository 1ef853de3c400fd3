import type { Claim } from "./leases";

/** A lease another call holds on something this call claims, as read under the broker's locks. */
export type HeldLease = Claim & {
  id: string;
  syscallId: string;
  holder: string | null;
  /** Past its expiry: its holder stopped without giving it back, and the next claimant takes it. */
  expired: boolean;
};

/** The latest call with this call's idempotency key (the live or succeeded one, if there is one). */
export type PreviousCall = {
  syscallId: string;
  state: "running" | "succeeded" | "failed";
  output: unknown;
  inputHash: string;
  /** Still `running` past its expiry: abandoned by a process that stopped. */
  expired: boolean;
};

/** What the broker reads, under its locks, before admitting a call (broker.ts). */
export type BrokerState = {
  previous: PreviousCall | null;
  /** Unexpired running calls of the action in the tenant; null when the action has no parallel limit. */
  running: number | null;
  held: HeldLease[];
};

export type Decision =
  /** An earlier call with the key succeeded: its output is the answer; the driver is not called. */
  | { kind: "replay"; syscallId: string; output: unknown }
  /** The key was first used for another input: a caller bug, refused rather than guessed at. */
  | { kind: "refuse"; error: string }
  /** A live lease stands in the way; the action's conflict policy says what happens next. */
  | { kind: "conflict"; lease: HeldLease }
  /** Try again shortly: the key's first call is still running, or every parallel slot is taken. */
  | { kind: "wait"; reason: "idempotency" | "slot" }
  /** Run it: take these expired leases over and mark these abandoned calls failed, in the same transaction. */
  | { kind: "admit"; reclaim: HeldLease[]; abandoned: string[] };

/**
 * Whether a call may run now. Pure, so the order of the rules is easy to read and test: an
 * idempotent repeat is answered before anything else (a retried step gets its result even if
 * someone else holds the room by now), then leases (a conflict is a definite answer, not worth
 * waiting for a slot to learn), then the parallel limit.
 */
export function decide(
  call: { inputHash: string; idempotencyKey: string | null; maxParallel: number | null },
  state: BrokerState,
): Decision {
  const abandoned: string[] = [];
  const { previous } = state;
  if (previous) {
    if (previous.inputHash !== call.inputHash)
      return {
        kind: "refuse",
        error: `Idempotency key ${JSON.stringify(call.idempotencyKey)} was first used with a different input`,
      };
    if (previous.state === "succeeded")
      return { kind: "replay", syscallId: previous.syscallId, output: previous.output };
    if (previous.state === "running") {
      if (!previous.expired) return { kind: "wait", reason: "idempotency" };
      abandoned.push(previous.syscallId);
    }
  }

  const live = state.held.find((lease) => !lease.expired);
  if (live) return { kind: "conflict", lease: live };
  const reclaim = state.held.filter((lease) => lease.expired);

  if (call.maxParallel !== null && (state.running ?? 0) >= call.maxParallel)
    return { kind: "wait", reason: "slot" };

  for (const lease of reclaim) if (!abandoned.includes(lease.syscallId)) abandoned.push(lease.syscallId);
  return { kind: "admit", reclaim, abandoned };
}
