/**
 * The People page's API over the built-in HRIS (server/hr/): the directory, one person, the org chart
 * for every member; CSV import and export for owners and admins. One procedure per file, each with its
 * input and output schemas beside it in `*.types.ts`.
 */
import { router } from "../../trpc";
import { csvExport } from "./csv-export";
import { csvImport } from "./csv-import";
import { get } from "./get";
import { list } from "./list";
import { orgChart } from "./org-chart";

export const hrRouter = router({ list, get, orgChart, csvImport, csvExport });
