import { z } from "zod";
import { env } from "@/server/env.js";
import { spaceIdInput } from "./facilities.types";

export const feedUrlInput = z.object({ spaceId: spaceIdInput });
export const feedUrlOutput = z.object({ spaceId: z.string(), url: z.url() });

/** The private iCalendar URL: whoever holds it reads the space's calendar, so only admins see it. */
export const feedUrlOf = (spaceId: string, token: string) => {
  const url = new URL(`/api/facilities/feeds/${spaceId}.ics`, env.APP_URL);
  url.searchParams.set("token", token);
  return { spaceId, url: url.toString() };
};
