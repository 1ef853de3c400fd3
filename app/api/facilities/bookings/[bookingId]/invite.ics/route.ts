import { currentUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { inviteResponse } from "@/server/facilities/feeds";

/** A booking's .ics invite, for signed-in members of the booking's tenant (404 for anyone else). */
export async function GET(
  _req: Request,
  { params }: { params: Promise<{ bookingId: string }> },
): Promise<Response> {
  const { bookingId } = await params;
  return inviteResponse(getDb(), await currentUser(), bookingId);
}
