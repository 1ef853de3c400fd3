import { z } from "zod";
import { siteIdInput, spaceView } from "./facilities.types";

export const spacesInput = z.object({ siteId: siteIdInput });
export const spacesOutput = z.array(spaceView);
