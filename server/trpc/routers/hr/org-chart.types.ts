import { z } from "zod";

export type OrgChartNode = {
  id: string;
  name: string;
  title: string;
  department: string | null;
  email: string;
  reports: OrgChartNode[];
};

export const orgChartNode: z.ZodType<OrgChartNode> = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    title: z.string(),
    department: z.string().nullable(),
    email: z.string(),
    reports: z.array(orgChartNode),
  }),
);

/** The people without a manager (or whose manager has left), each with their reports, recursively. */
export const orgChartOutput = z.object({ roots: z.array(orgChartNode), people: z.number().int() });
