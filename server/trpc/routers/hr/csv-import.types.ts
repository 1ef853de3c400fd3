import { z } from "zod";

export const MAX_CSV_BYTES = 2 * 1024 * 1024;

export const csvImportInput = z.object({
  csv: z
    .string("Give the CSV file's text")
    .refine((csv) => Buffer.byteLength(csv, "utf8") <= MAX_CSV_BYTES, "Import at most 2 MB at once"),
});

/** Either what was imported, or every problem in the file (and then nothing was written). */
export const csvImportOutput = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("imported"),
    imported: z.object({
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      terminated: z.number().int(),
      departmentsCreated: z.array(z.string()),
    }),
  }),
  z.object({
    outcome: z.literal("refused"),
    errors: z.array(
      z.object({
        /** As a spreadsheet numbers rows: the header is row 1. */
        row: z.number().int(),
        column: z.string().nullable(),
        message: z.string(),
      }),
    ),
  }),
]);
