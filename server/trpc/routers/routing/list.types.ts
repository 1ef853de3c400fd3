import { z } from "zod";
import { routingRuleView } from "./routing.types";

export const listOutput = z.array(routingRuleView);
