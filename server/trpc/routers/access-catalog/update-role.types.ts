import { updateRoleInput as domainInput } from "@/server/it/access-catalog";
import { appRoleView } from "./access-catalog.types";

export const updateRoleInput = domainInput;
export const updateRoleOutput = appRoleView;
