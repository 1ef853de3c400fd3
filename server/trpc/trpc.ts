/**
 * tRPC for Tenet, in three sections: the context, initialisation (with the one error formatter), and the
 * procedures, each building on the one before: public → authed → tenant → role-gated. Each middleware
 * narrows the context type, so a handler cannot forget the tenant.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { enterTenant, withUser } from "@/server/db/scope";
import { AppError, appErrorCodes, type FieldErrors } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import { findMembershipBySlug } from "@/server/tenancy/tenants";

// ─── 1. Context ──────────────────────────────────────────────────────────────────────────────────

export type Context = {
  db: PrismaClient;
  /** From the server-side session, never from the client. */
  session: { userId: string; sessionId: string } | null;
  /** From the `x-tenant` header: unverified until tenantProcedure finds the user's membership. */
  unverifiedTenantSlug: string | null;
  ip: string;
};

// ─── 2. Initialisation ───────────────────────────────────────────────────────────────────────────

function readableZodMessage(error: ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** Messages per field, keyed by the field's dotted path ("resource.amountCents") so forms can place them. */
function zodFieldErrors(error: ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (key) (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Users see our message and, for bad input, the fields at fault; never a stack trace or an
  // internal error's text.
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const fieldErrors: FieldErrors | null = zodError
      ? zodFieldErrors(zodError)
      : error.cause instanceof AppError
        ? error.cause.fields
        : null;
    const message = zodError
      ? readableZodMessage(zodError)
      : error.code === "INTERNAL_SERVER_ERROR"
        ? "Something went wrong on our side. Try again; if it keeps happening, contact support."
        : error.message;
    return {
      message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fieldErrors,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

// ─── 3. Procedures ───────────────────────────────────────────────────────────────────────────────

/** Maps AppError to its tRPC code (the table in server/errors.ts) and logs unexpected failures. */
const mapErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: appErrorCodes[cause.code].trpc, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR")
      console.error(`[trpc] ${path} failed`, result.error.cause ?? result.error);
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new AppError("UNAUTHORIZED", "Sign in to continue");
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/**
 * Verifies the caller's membership in the tenant named by the header, then runs the handler in one
 * transaction in which row-level security is set to that tenant. An unknown tenant and a tenant the
 * caller does not belong to both answer 404.
 */
export const tenantProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const slug = ctx.unverifiedTenantSlug;
  if (!slug) throw new AppError("NOT_FOUND", "Tenant not found");
  const { userId } = ctx.session;
  return withUser(ctx.db, userId, async (tx) => {
    const membership = await findMembershipBySlug(tx, userId, slug);
    if (!membership) throw new AppError("NOT_FOUND", "Tenant not found");
    await enterTenant(tx, membership.tenant.id);
    const scope: TenantContext = {
      tenantId: membership.tenant.id,
      actor: { userId, membershipId: membership.id, role: membership.role },
      db: tx,
    };
    const result = await next({ ctx: { ...ctx, tenant: membership.tenant, scope } });
    // Roll the transaction back when the handler failed, so a failed call writes nothing.
    if (!result.ok) throw result.error;
    return result;
  });
});

export function roleProcedure(roles: readonly Role[]) {
  return tenantProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.scope.actor.role)) {
      throw new AppError("FORBIDDEN", `Your role (${ctx.scope.actor.role}) cannot do this`);
    }
    return next();
  });
}

export const adminProcedure = roleProcedure(["owner", "admin"]);
