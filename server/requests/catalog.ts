/**
 * Every request type Tenet offers, by type. A type's workflow (server/workflows/functions/requests.ts)
 * and its form (forms.ts) are found here and nowhere else.
 */
import type { RequestDefinition } from "./definition";
import { equipment, softwareAccess } from "./definitions/it";
import { expense, purchase } from "./definitions/finance";
import { maintenance, roomBooking } from "./definitions/facilities";
import { timeOff } from "./definitions/hr";
import { offboarding, onboarding } from "./definitions/people";
import type { RequestType } from "./types";

export const REQUEST_DEFINITIONS: { readonly [T in RequestType]: RequestDefinition<T> } = {
  "time-off": timeOff,
  "software-access": softwareAccess,
  equipment,
  "room-booking": roomBooking,
  maintenance,
  expense,
  purchase,
  onboarding,
  offboarding,
};

/** A type's definition, typed loosely enough to run any of them with an input checked by its own form. */
export function definitionOf(type: RequestType): RequestDefinition {
  const definition: RequestDefinition<RequestType> = REQUEST_DEFINITIONS[type];
  return definition;
}
