import { z } from "zod";
import { siteIdInput, ticketView } from "./facilities.types";

export const openTicketsInput = z.object({ siteId: siteIdInput.optional() }).default({});
export const openTicketsOutput = z.array(ticketView);
