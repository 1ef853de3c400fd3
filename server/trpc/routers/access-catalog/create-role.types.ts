import { createRoleInput as domainInput } from "@/server/it/access-catalog";
import { appRoleView } from "./access-catalog.types";

export const createRoleInput = domainInput;
export const createRoleOutput = appRoleView;
