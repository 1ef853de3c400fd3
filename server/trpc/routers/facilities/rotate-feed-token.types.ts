import { z } from "zod";
import { feedUrlOutput } from "./feed-url.types";
import { spaceIdInput } from "./facilities.types";

export const rotateFeedTokenInput = z.object({ spaceId: spaceIdInput });
export const rotateFeedTokenOutput = feedUrlOutput;
