import { z } from "zod";

/**
 * The one error type domain code throws. Routes map it to tRPC and HTTP in `appErrorCodes` below and
 * nowhere else; anything that is not an AppError reaches users as a generic internal error.
 */
export const appErrorCodes = {
  BAD_REQUEST: { trpc: "BAD_REQUEST", http: 400 },
  UNAUTHORIZED: { trpc: "UNAUTHORIZED", http: 401 },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403 },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404 },
  CONFLICT: { trpc: "CONFLICT", http: 409 },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429 },
  /** A service Tenet depends on (the workflow engine) cannot be reached; the message says which. */
  UNAVAILABLE: { trpc: "SERVICE_UNAVAILABLE", http: 503 },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", http: 500 },
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  override readonly name = "AppError";
  /** Messages about particular input fields, shown next to them (like zod's). */
  readonly fields: FieldErrors | null;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: { cause?: unknown; fields?: FieldErrors } = {},
  ) {
    super(message, { cause: options.cause });
    this.fields = options.fields ?? null;
  }
}

/** A bad-input error about one field, e.g. `fieldError("currentPassword", "The current password is incorrect")`. */
export const fieldError = (field: string, message: string) =>
  new AppError("BAD_REQUEST", `${field}: ${message}`, { fields: { [field]: [message] } });

export const notFound = (what = "Not found") => new AppError("NOT_FOUND", what);

/** Zod's issues as a BAD_REQUEST with field errors; nothing has been written when this is thrown. */
export function parsed<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues)
    (fields[issue.path.join(".") || "input"] ??= []).push(issue.message);
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  throw new AppError("BAD_REQUEST", summary, { fields });
}

/** Ids from callers are unverified: a malformed one is as absent as another tenant's. */
export function checkedId(id: unknown, what: string): string {
  const result = z.uuid().safeParse(id);
  if (!result.success) throw notFound(`${what} not found`);
  return result.data;
}
