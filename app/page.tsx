import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { listTenantsForUser } from "@/server/tenancy/tenants";

/** The front door: a signed-in user goes to their first tenant (or creates one); others sign in. */
export default async function HomePage() {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  const [first] = await listTenantsForUser(getDb(), user.userId);
  redirect(first ? `/t/${first.slug}` : "/tenants/new");
}
