import { cancelInput as domainCancelInput } from "@/server/requests/requests";
import { requestSummaryView } from "./views.types";

export const cancelInput = domainCancelInput;
export const cancelOutput = requestSummaryView;
