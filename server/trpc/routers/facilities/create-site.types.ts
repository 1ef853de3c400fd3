import { siteInput } from "@/server/facilities/spaces";
import { siteView } from "./facilities.types";

export const createSiteInput = siteInput;
export const createSiteOutput = siteView;
