import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { withUser } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import {
  createTenantIn,
  isUniqueViolation,
  tenantNameSchema,
  tenantSlugSchema,
} from "@/server/tenancy/tenants";
import { randomUUID } from "node:crypto";
import { emailSchema, passwordSchema } from "./password-rules";
import { createUserWithPassword } from "./users";

export const signUpInput = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100, "Use at most 100 characters"),
  email: emailSchema,
  password: passwordSchema,
  tenantName: tenantNameSchema,
  tenantSlug: tenantSlugSchema,
});

/** Creates a user and their tenant, with the user as owner, in one transaction. */
export async function signUp(db: PrismaClient, input: z.infer<typeof signUpInput>) {
  const exists = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (exists) {
    throw new AppError(
      "CONFLICT",
      "An account with this email already exists. Sign in, then create a tenant from the tenant menu.",
    );
  }
  const userId = randomUUID();
  try {
    return await withUser(db, userId, async (tx) => {
      await createUserWithPassword(tx, {
        id: userId,
        email: input.email,
        name: input.name,
        password: input.password,
      });
      const tenant = await createTenantIn(tx, { name: input.tenantName, slug: input.tenantSlug }, userId);
      return { userId, tenantSlug: tenant.slug };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", "An account with this email already exists.");
    throw error;
  }
}
