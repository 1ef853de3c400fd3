import { exportEmployeesCsv } from "@/server/hr/csv-import";
import { csvExportOutput } from "./csv-export.types";
import { peopleManagerProcedure } from "./procedure";

/** Every employee, leavers included, as CSV that imports back unchanged. A mutation: it is audited. */
export const csvExport = peopleManagerProcedure.output(csvExportOutput).mutation(async ({ ctx }) => ({
  csv: await exportEmployeesCsv(ctx.scope),
  filename: `employees-${ctx.tenant.slug}-${new Date().toISOString().slice(0, 10)}.csv`,
}));
