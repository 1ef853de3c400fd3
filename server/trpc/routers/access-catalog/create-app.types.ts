import { createAppInput as domainInput } from "@/server/it/access-catalog";
import { appView } from "./access-catalog.types";

export const createAppInput = domainInput;
export const createAppOutput = appView;
