import { describe, expect, it } from "vitest";
import { clientIp } from "./request-meta";

describe("clientIp", () => {
  it("takes the peer Next.js appended, not what the client claims", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "1.2.3.4, 203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientIp(new Headers())).toBe("unknown");
  });
});
