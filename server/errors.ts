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
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", http: 500 },
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;

export class AppError extends Error {
  override readonly name = "AppError";

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what = "Not found") => new AppError("NOT_FOUND", what);
