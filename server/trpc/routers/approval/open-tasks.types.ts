import { z } from "zod";
import { inboxItemView } from "../request/views.types";

export const openTasksOutput = z.array(inboxItemView);
