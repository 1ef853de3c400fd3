import { z } from "zod";
import { appView } from "./access-catalog.types";

export const appsOutput = z.array(appView);
