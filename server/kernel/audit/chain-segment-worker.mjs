// @ts-check
/**
 * A worker thread that checks chain segments for verify.ts (segment-pool.ts). Plain JavaScript that
 * imports only Node's built-ins and chain-segment.mjs, so that it starts as it is under tsx, Vitest and
 * a Next.js build alike.
 */
import { parentPort } from "node:worker_threads";
import { SegmentCheck } from "./chain-segment.mjs";

/** @typedef {import("./chain-segment.mjs").SegmentJob} SegmentJob */

const port = parentPort;
if (!port) throw new Error("chain-segment-worker.mjs runs as a worker thread");

port.on("message", (/** @type {{ id: number, job: SegmentJob }} */ message) => {
  const check = new SegmentCheck(message.job);
  check.advance(Infinity);
  port.postMessage({ id: message.id, result: check.result() });
});
