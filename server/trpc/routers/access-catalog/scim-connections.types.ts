import { z } from "zod";

/** What the app form's select needs: never the credentials' hint or config. */
export const scimConnectionsOutput = z.array(
  z.object({ id: z.string(), name: z.string(), status: z.enum(["untested", "working", "failing"]) }),
);
