import { fullName, orgChart as chartOf, type OrgNode } from "@/server/hr/employees";
import type { OrgChartNode } from "./org-chart.types";
import { orgChartOutput } from "./org-chart.types";
import { directoryProcedure } from "./procedure";

/** Only the directory's fields, for every member. */
function nodeOf(node: OrgNode): OrgChartNode {
  return {
    id: node.id,
    name: fullName(node),
    title: node.title,
    department: node.department,
    email: node.email,
    reports: node.reports.map(nodeOf),
  };
}

const count = (nodes: readonly OrgChartNode[]): number =>
  nodes.reduce((n, node) => n + 1 + count(node.reports), 0);

/** The org chart from the top, leavers left out. */
export const orgChart = directoryProcedure.output(orgChartOutput).query(async ({ ctx }) => {
  const roots = (await chartOf(ctx.scope)).map(nodeOf);
  return { roots, people: count(roots) };
});
