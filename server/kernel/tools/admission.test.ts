import { describe, expect, it } from "vitest";
import { decide, type BrokerState, type HeldLease, type PreviousCall } from "./admission";

const call = { inputHash: "h1", idempotencyKey: "k", maxParallel: 2 };
const empty: BrokerState = { previous: null, running: 0, held: [] };
const previous = (over: Partial<PreviousCall>): PreviousCall => ({
  syscallId: "s-prev",
  state: "succeeded",
  output: { bookingId: "b-1" },
  inputHash: "h1",
  expired: false,
  ...over,
});
const held = (over: Partial<HeldLease>): HeldLease => ({
  id: "l-1",
  key: "room:r-1",
  from: null,
  to: null,
  syscallId: "s-holder",
  holder: "Alice",
  expired: false,
  ...over,
});

describe("admission", () => {
  it("admits a call that nothing stands in the way of", () => {
    expect(decide(call, empty)).toEqual({ kind: "admit", reclaim: [], abandoned: [] });
  });

  it("answers a repeated key from the succeeded call, before leases or slots", () => {
    expect(decide(call, { previous: previous({}), running: 2, held: [held({})] })).toEqual({
      kind: "replay",
      syscallId: "s-prev",
      output: { bookingId: "b-1" },
    });
  });

  it("waits for a live first call with the key, runs again after a failed or abandoned one", () => {
    expect(decide(call, { ...empty, previous: previous({ state: "running" }) })).toEqual({
      kind: "wait",
      reason: "idempotency",
    });
    expect(decide(call, { ...empty, previous: previous({ state: "failed" }) })).toMatchObject({
      kind: "admit",
    });
    expect(decide(call, { ...empty, previous: previous({ state: "running", expired: true }) })).toEqual({
      kind: "admit",
      reclaim: [],
      abandoned: ["s-prev"],
    });
  });

  it("refuses a key first used with another input, whatever became of that call", () => {
    for (const state of ["succeeded", "running", "failed"] as const)
      expect(decide(call, { ...empty, previous: previous({ state, inputHash: "h2" }) })).toMatchObject({
        kind: "refuse",
        error: 'Idempotency key "k" was first used with a different input',
      });
  });

  it("meets the first live lease with a conflict, and takes expired ones over", () => {
    const expired = held({ id: "l-0", syscallId: "s-dead", expired: true });
    const live = held({ id: "l-2" });
    expect(decide(call, { ...empty, held: [expired, live] })).toEqual({ kind: "conflict", lease: live });
    expect(decide(call, { ...empty, held: [expired] })).toEqual({
      kind: "admit",
      reclaim: [expired],
      abandoned: ["s-dead"],
    });
  });

  it("waits for a slot when maxParallel calls are running, and only then", () => {
    expect(decide(call, { ...empty, running: 2 })).toEqual({ kind: "wait", reason: "slot" });
    expect(decide(call, { ...empty, running: 1 })).toMatchObject({ kind: "admit" });
    expect(decide({ ...call, maxParallel: null }, { ...empty, running: null })).toMatchObject({
      kind: "admit",
    });
    // A conflict is a definite answer: it comes before waiting for a slot.
    expect(decide(call, { ...empty, running: 2, held: [held({})] })).toMatchObject({ kind: "conflict" });
  });
});
