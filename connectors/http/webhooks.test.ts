import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { generateWebhookSecret, signWebhook, verifyWebhook } from "./webhooks";

const secret = "whsec_current-secret";
const oldSecret = "whsec_previous-secret";
const body = JSON.stringify({ type: "hr/employee.hired", id: "evt_1" });
const signedAt = new Date("2026-01-01T00:00:00Z");
const seconds = (n: number) => new Date(signedAt.getTime() + n * 1000);

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("webhook signatures", () => {
  it("signs t and v1 = HMAC-SHA256(secret, `${t}.${body}`) in hex", () => {
    const header = signWebhook(body, [secret], signedAt);
    const t = signedAt.getTime() / 1000;
    const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${v1}`);
  });

  it("round-trips, for a string or the same bytes", () => {
    const header = signWebhook(body, [secret], signedAt);
    expect(verifyWebhook({ body, header, secrets: [secret], now: seconds(10) })).toEqual({
      timestamp: signedAt.getTime() / 1000,
    });
    expect(
      verifyWebhook({ body: Buffer.from(body), header, secrets: [secret], now: seconds(10) }).timestamp,
    ).toBe(signedAt.getTime() / 1000);
  });

  it("refuses a tampered body", () => {
    const header = signWebhook(body, [secret], signedAt);
    const error = refusal(() =>
      verifyWebhook({ body: body.replace("evt_1", "evt_2"), header, secrets: [secret], now: signedAt }),
    );
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe("No signature in the Tenet-Signature header matches this endpoint's secret");
  });

  it("refuses a changed timestamp (it is signed)", () => {
    const header = signWebhook(body, [secret], signedAt).replace(
      /^t=(\d+)/,
      (_m, t: string) => `t=${Number(t) + 60}`,
    );
    expect(refusal(() => verifyWebhook({ body, header, secrets: [secret], now: signedAt })).message).toMatch(
      /^No signature/,
    );
  });

  it("refuses the wrong secret", () => {
    const header = signWebhook(body, ["whsec_someone-else"], signedAt);
    expect(refusal(() => verifyWebhook({ body, header, secrets: [secret], now: signedAt })).message).toMatch(
      /^No signature/,
    );
  });

  it("refuses an old timestamp, and accepts one at the edge of the window", () => {
    const header = signWebhook(body, [secret], signedAt);
    expect(verifyWebhook({ body, header, secrets: [secret], now: seconds(300) }).timestamp).toBeGreaterThan(
      0,
    );
    const error = refusal(() => verifyWebhook({ body, header, secrets: [secret], now: seconds(301) }));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe("The webhook was signed 301 s ago; at most 300 s is accepted (a replay?)");
    expect(
      refusal(() =>
        verifyWebhook({ body, header, secrets: [secret], now: seconds(61), toleranceSeconds: 60 }),
      ).message,
    ).toBe("The webhook was signed 61 s ago; at most 60 s is accepted (a replay?)");
  });

  it("refuses a future timestamp beyond the window", () => {
    const header = signWebhook(body, [secret], seconds(600));
    expect(verifyWebhook({ body, header, secrets: [secret], now: seconds(300) }).timestamp).toBeGreaterThan(
      0,
    );
    expect(refusal(() => verifyWebhook({ body, header, secrets: [secret], now: signedAt })).message).toBe(
      "The webhook's timestamp is 600 s in the future; at most 300 s of clock skew is accepted",
    );
  });

  it("supports rotation on either side", () => {
    // The sender signs with both secrets during a rotation: a receiver that knows either accepts.
    const both = signWebhook(body, [secret, oldSecret], signedAt);
    expect(both.split(",").filter((part) => part.startsWith("v1="))).toHaveLength(2);
    expect(() => verifyWebhook({ body, header: both, secrets: [oldSecret], now: signedAt })).not.toThrow();
    expect(() => verifyWebhook({ body, header: both, secrets: [secret], now: signedAt })).not.toThrow();
    // The receiver accepts both secrets during a rotation: a sender using either is accepted.
    const oldOnly = signWebhook(body, [oldSecret], signedAt);
    expect(() =>
      verifyWebhook({ body, header: oldOnly, secrets: [secret, oldSecret], now: signedAt }),
    ).not.toThrow();
    // Once the old secret is retired, its signatures are refused.
    expect(
      refusal(() => verifyWebhook({ body, header: oldOnly, secrets: [secret], now: signedAt })).message,
    ).toMatch(/^No signature/);
  });

  it("ignores unknown schemes, so a future v2 does not break receivers", () => {
    const header = `${signWebhook(body, [secret], signedAt)},v2=whatever`;
    expect(() => verifyWebhook({ body, header, secrets: [secret], now: signedAt })).not.toThrow();
  });

  it.each([
    [undefined, "The Tenet-Signature header is missing"],
    ["", "The Tenet-Signature header is missing"],
    ["v1=" + "a".repeat(64), "The Tenet-Signature header is malformed: no t"],
    ["t=1767225600", "The Tenet-Signature header is malformed: no v1 signature"],
    ["t=yesterday,v1=" + "a".repeat(64), "The Tenet-Signature header is malformed: t must be Unix seconds"],
    ["t=1,t=2,v1=" + "a".repeat(64), "The Tenet-Signature header is malformed: more than one t"],
    [
      "t=1767225600,v1=abc",
      "The Tenet-Signature header is malformed: each v1 must be 64 hex digits (HMAC-SHA256)",
    ],
    ["t=1767225600,v1", 'The Tenet-Signature header is malformed: "v1" is not key=value'],
    [
      `t=1767225600${`,v1=${"a".repeat(64)}`.repeat(9)}`,
      "The Tenet-Signature header is malformed: more than 8 signatures",
    ],
  ])("refuses the header %j", (header, message) => {
    const error = refusal(() => verifyWebhook({ body, header, secrets: [secret], now: signedAt }));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe(message);
  });

  it("refuses to sign or verify without a secret", () => {
    expect(refusal(() => signWebhook(body, [])).code).toBe("INTERNAL");
    expect(refusal(() => verifyWebhook({ body, header: "t=1,v1=x", secrets: [""] })).code).toBe("INTERNAL");
  });

  it("generates distinct secrets", () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
