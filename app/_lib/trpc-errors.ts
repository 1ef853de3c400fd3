import type { TRPCClientErrorLike } from "@trpc/client";
import type { AppRouter } from "@/server/trpc/root";

export type AppClientError = TRPCClientErrorLike<AppRouter>;

export type FormErrors<F extends string> = {
  /** A message for the whole form, when the error is not about one of its fields. */
  form: string | null;
  fields: Partial<Record<F, string>>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The server formats field errors as "field: message" (joined by "; " when there are several).
const FIELD_MESSAGE = /^([A-Za-z][\w.]*): (.+)$/;

/**
 * Splits a tRPC error into per-field messages (for the form's own fields) and a form-level message for
 * everything else, so each message appears next to what it is about.
 */
export function formErrors<F extends string>(
  error: AppClientError | null,
  fields: readonly F[],
): FormErrors<F> {
  if (!error) return { form: null, fields: {} };
  const isField = (name: string): name is F => (fields as readonly string[]).includes(name);
  const result: Partial<Record<F, string>> = {};
  const rest: string[] = [];

  // Typed loosely by the server (zod's flattened errors of an unknown schema), so checked here.
  const fieldErrors: unknown = error.data?.fieldErrors;
  if (isRecord(fieldErrors)) {
    for (const [name, messages] of Object.entries(fieldErrors)) {
      const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
      if (typeof first !== "string" || first.length === 0) continue;
      if (isField(name)) result[name] = first;
      else rest.push(first);
    }
    return { form: rest.length > 0 ? rest.join(" ") : null, fields: result };
  }

  // Some domain errors name a field in the same "field: message" form without zod's field list.
  const match = FIELD_MESSAGE.exec(error.message);
  const name = match?.[1];
  const message = match?.[2];
  if (name && message && isField(name)) {
    result[name] = message;
    return { form: null, fields: result };
  }
  return { form: error.message, fields: {} };
}
