import { getDb } from "@/server/db/client";
import { feedResponse } from "@/server/facilities/feeds";

/** A space's iCalendar feed, for calendar clients: the token in the URL is the only credential. */
export async function GET(
  req: Request,
  { params }: { params: Promise<{ file: string }> },
): Promise<Response> {
  const { file } = await params;
  return feedResponse(getDb(), file, new URL(req.url).searchParams.get("token"));
}
