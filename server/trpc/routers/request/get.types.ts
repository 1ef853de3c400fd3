import { requestIdInput } from "@/server/requests/requests";
import { requestDetailView } from "./views.types";

export const getInput = requestIdInput;
export const getOutput = requestDetailView;
