import { z } from "zod";
import { catalogEntryView } from "./views.types";

export const catalogOutput = z.array(catalogEntryView);
