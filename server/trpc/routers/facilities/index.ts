/**
 * The Facilities page's API over server/facilities/: sites, spaces, upcoming bookings and open tickets
 * for every member; new sites and spaces, calendar feed links and the day's visitors for owners and
 * admins. Bookings themselves are made through the kernel. One procedure per file, each with its input
 * and output schemas beside it in `*.types.ts`.
 */
import { router } from "../../trpc";
import { createSite } from "./create-site";
import { createSpace } from "./create-space";
import { feedUrl } from "./feed-url";
import { openTickets } from "./open-tickets";
import { rotateFeedToken } from "./rotate-feed-token";
import { sites } from "./sites";
import { spaces } from "./spaces";
import { todaysVisitors } from "./todays-visitors";
import { upcomingBookings } from "./upcoming-bookings";

export const facilitiesRouter = router({
  sites,
  spaces,
  createSite,
  createSpace,
  feedUrl,
  rotateFeedToken,
  upcomingBookings,
  openTickets,
  todaysVisitors,
});
