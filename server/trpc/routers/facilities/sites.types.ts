import { z } from "zod";
import { siteView } from "./facilities.types";

export const sitesOutput = z.array(siteView);
