import { z } from "zod";
import { inboxItemView } from "../request/views.types";

export const inboxOutput = z.array(inboxItemView);
