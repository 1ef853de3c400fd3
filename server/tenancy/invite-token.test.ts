import { describe, expect, it } from "vitest";
import { signInviteToken, verifyInviteToken } from "./invite-token";

const payload = {
  inviteId: "6f1c2a4e-3b1d-4c2e-9f3a-1b2c3d4e5f60",
  tenantId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
  expiresAt: 1_800_000_000_000,
};

describe("invite tokens", () => {
  it("round-trip what we signed", () => {
    expect(verifyInviteToken(signInviteToken(payload))).toEqual(payload);
  });

  it("refuse an edited payload, a forged signature and malformed tokens", () => {
    const token = signInviteToken(payload);
    const [, signature] = token.split(".");
    const otherTenant = Buffer.from(
      JSON.stringify([payload.inviteId, "11111111-2222-4333-8444-555555555555", payload.expiresAt]),
    ).toString("base64url");
    expect(verifyInviteToken(`${otherTenant}.${signature}`)).toBeNull();
    expect(verifyInviteToken(`${token.split(".")[0]}.${"A".repeat(43)}`)).toBeNull();
    for (const bad of ["", ".", "abc", `${token}.extra`, "e30.e30"])
      expect(verifyInviteToken(bad)).toBeNull();
  });

  it("refuse a signed payload of the wrong shape", () => {
    const token = signInviteToken({ ...payload, inviteId: "not-a-uuid" });
    expect(verifyInviteToken(token)).toBeNull();
  });
});
