import { updateAppInput as domainInput } from "@/server/it/access-catalog";
import { appView } from "./access-catalog.types";

export const updateAppInput = domainInput;
export const updateAppOutput = appView;
