import { z } from "zod";
import { myRequestsInput } from "@/server/requests/requests";
import { requestSummaryView } from "./views.types";

export const mineInput = myRequestsInput;
export const mineOutput = z.array(requestSummaryView);
