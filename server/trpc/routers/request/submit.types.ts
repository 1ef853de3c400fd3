import { submitInput as domainSubmitInput } from "@/server/requests/requests";
import { requestSummaryView } from "./views.types";

/** The type and its form's values; the form is checked against the type's schema in the domain. */
export const submitInput = domainSubmitInput;
export const submitOutput = requestSummaryView;
