import { setRoutingRuleInput } from "@/server/requests/routing";
import { routingRuleView } from "./routing.types";

/** A type and its new levels; `rule: null` goes back to the type's default. */
export const setInput = setRoutingRuleInput;
export const setOutput = routingRuleView.omit({ title: true });
