import { spaceInput } from "@/server/facilities/spaces";
import { spaceView } from "./facilities.types";

export const createSpaceInput = spaceInput;
export const createSpaceOutput = spaceView;
