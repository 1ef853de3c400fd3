import { describe, expect, it } from "vitest";
import { formErrors, type AppClientError } from "./trpc-errors";

function clientError(message: string, fieldErrors: Record<string, string[]> | null): AppClientError {
  const data = { code: "BAD_REQUEST" as const, httpStatus: 400, path: "x", fieldErrors };
  return { message, data, shape: { message, code: -32600, data } };
}

describe("formErrors", () => {
  it("is empty without an error", () => {
    expect(formErrors(null, ["email"])).toEqual({ form: null, fields: {} });
  });

  it("puts zod field errors next to the form's fields and the rest above the form", () => {
    const error = clientError("email: Enter a valid email address; other: Nope", {
      email: ["Enter a valid email address"],
      other: ["Nope"],
    });
    expect(formErrors(error, ["email", "role"])).toEqual({
      form: "Nope",
      fields: { email: "Enter a valid email address" },
    });
  });

  it("reads a domain error that names one of the form's fields", () => {
    const error = clientError("currentPassword: The current password is incorrect", null);
    expect(formErrors(error, ["currentPassword"])).toEqual({
      form: null,
      fields: { currentPassword: "The current password is incorrect" },
    });
  });

  it("shows other messages for the whole form", () => {
    const error = clientError("A tenant needs at least one owner. Make someone else an owner first.", null);
    expect(formErrors(error, ["name"]).form).toBe(
      "A tenant needs at least one owner. Make someone else an owner first.",
    );
  });
});
