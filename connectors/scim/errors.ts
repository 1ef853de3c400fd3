/**
 * SCIM protocol errors (RFC 7644 §3.12). These are the wire-level errors a SCIM peer sends or
 * receives; the SCIM server endpoint maps them onto its HTTP response as the RFC's Error resource,
 * and the connector maps them onto AppError where they leave the SCIM layer.
 */

/** The `scimType` detail codes of RFC 7644 §3.12, Table 9. */
export const scimTypes = [
  "invalidFilter",
  "tooMany",
  "uniqueness",
  "mutability",
  "invalidSyntax",
  "invalidPath",
  "noTarget",
  "invalidValue",
  "invalidVers",
  "sensitive",
] as const;

export type ScimType = (typeof scimTypes)[number];

export class ScimError extends Error {
  override readonly name = "ScimError";

  constructor(
    /** The HTTP status (RFC 7644 §3.12 carries it as a string on the wire; here it is a number). */
    readonly status: number,
    readonly scimType: ScimType | null,
    readonly detail: string,
  ) {
    super(scimType ? `SCIM ${status} ${scimType}: ${detail}` : `SCIM ${status}: ${detail}`);
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, "invalidFilter", detail);
export const invalidPath = (detail: string) => new ScimError(400, "invalidPath", detail);
export const invalidValue = (detail: string) => new ScimError(400, "invalidValue", detail);
export const noTarget = (detail: string) => new ScimError(400, "noTarget", detail);
export const mutability = (detail: string) => new ScimError(400, "mutability", detail);
