import { createSpace as create } from "@/server/facilities/spaces";
import { createSpaceInput, createSpaceOutput } from "./create-space.types";
import { spaceViewOf } from "./facilities.types";
import { managerProcedure } from "./procedure";

/** A new space at one of the tenant's sites; another tenant's site is not found. */
export const createSpace = managerProcedure
  .input(createSpaceInput)
  .output(createSpaceOutput)
  .mutation(async ({ ctx, input }) => spaceViewOf(await create(ctx.scope, input)));
