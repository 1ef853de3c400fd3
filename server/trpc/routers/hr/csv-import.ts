import { checkEmployeesCsv, importEmployeesCsv } from "@/server/hr/csv-import";
import { csvImportInput, csvImportOutput } from "./csv-import.types";
import { peopleManagerProcedure } from "./procedure";

/**
 * Imports employees from CSV, all or nothing. A file with problems is an answer, not a failure: the
 * page lists every row's problems, and nothing has been written.
 */
export const csvImport = peopleManagerProcedure
  .input(csvImportInput)
  .output(csvImportOutput)
  .mutation(async ({ ctx, input }) => {
    const { problems } = await checkEmployeesCsv(ctx.scope, input.csv);
    if (problems.length > 0) return { outcome: "refused" as const, errors: problems };
    return { outcome: "imported" as const, imported: await importEmployeesCsv(ctx.scope, input.csv) };
  });
