import { AppError, parsed } from "@/server/errors";
import { parsedConnection } from "../http/connection";
import type { Resolver } from "../http/fetch";
import { defineDriver, type Change, type DriverContext, type DryRun } from "../sdk";
import { BambooHrClient } from "./client";
import {
  bambooConfig,
  bambooCredentials,
  bambooManifest,
  createInput,
  readInput,
  UPDATABLE_FIELDS,
  updateInput,
  type CreateInput,
  type Employee,
  type UpdateInput,
  type UpdateOutput,
} from "./manifest";

export interface BambooHrDriverDeps {
  /** Replaces DNS, for tests. */
  readonly lookup?: Resolver;
}

const fullName = (e: { firstName: string; lastName: string }) => `${e.firstName} ${e.lastName}`.trim();

/** The planned update: each requested field's value now and after, and which of them differ. */
function planUpdate(current: Employee, input: UpdateInput) {
  const previous: Record<string, string | null> = {};
  const changed: UpdateOutput["changed"] = {};
  for (const field of UPDATABLE_FIELDS) {
    const value = input.fields[field];
    if (value === undefined) continue;
    const before = current[field];
    previous[field] = before;
    const same = field === "workEmail" ? before?.toLowerCase() === value?.toLowerCase() : before === value;
    if (!same) changed[field] = { from: before, to: value };
  }
  return { previous, changed };
}

/** The request body for BambooHR: written fields only, "" for a cleared one. */
const bodyOf = (changed: UpdateOutput["changed"]) =>
  Object.fromEntries(Object.entries(changed).map(([field, { to }]) => [field, to ?? ""]));

function createBody(input: CreateInput): Record<string, string> {
  const body: Record<string, string> = {};
  for (const [field, value] of Object.entries(input)) if (typeof value === "string") body[field] = value;
  return body;
}

/** The BambooHR connector's driver; `deps` exist for tests. */
export function createBambooHrDriver(deps: BambooHrDriverDeps = {}) {
  const connectionFor = (ctx: DriverContext) => {
    const { config, credentials } = parsedConnection(ctx, "BambooHR", {
      config: bambooConfig,
      credentials: bambooCredentials,
    });
    return { config, client: new BambooHrClient(config, credentials, ctx.signal, deps.lookup) };
  };
  const clientFor = (ctx: DriverContext) => connectionFor(ctx).client;

  return defineDriver(
    bambooManifest,
    {
      "hr.remote.employee.read": {
        run: async (rawInput, ctx) => {
          const input = parsed(readInput, rawInput);
          const client = clientFor(ctx);
          if ("id" in input) return client.employee(input.id);
          const matches = await client.byEmail(input.email);
          const [match, ...others] = matches;
          if (match === undefined)
            throw new AppError("NOT_FOUND", `BambooHR has no employee with work email ${input.email}`);
          if (others.length > 0)
            throw new AppError(
              "CONFLICT",
              `${matches.length} BambooHR employees have work email ${input.email} (ids ${matches.map((m) => m.id).join(", ")}); read one by id`,
            );
          return client.employee(match.id);
        },
      },
      "hr.remote.employee.create": {
        run: async (rawInput, ctx) => {
          const input = parsed(createInput, rawInput);
          const id = await clientFor(ctx).create(createBody(input));
          return { id };
        },
        dryRun: async (rawInput, ctx): Promise<DryRun> => {
          const input = parsed(createInput, rawInput);
          const client = clientFor(ctx);
          const warnings = ["Cannot be undone through Tenet: BambooHR's API does not delete employees"];
          if (input.workEmail !== undefined) {
            for (const existing of await client.byEmail(input.workEmail))
              warnings.unshift(
                `BambooHR already has an employee with work email ${input.workEmail}: ${fullName(existing)} (id ${existing.id})`,
              );
          }
          const fields: Change["fields"] = {};
          for (const [field, value] of Object.entries(createBody(input))) fields[field] = { to: value };
          return {
            changes: [
              { op: "create", object: `BambooHR employee ${input.firstName} ${input.lastName}`, fields },
            ],
            warnings,
          };
        },
      },
      "hr.remote.employee.update": {
        run: async (rawInput, ctx) => {
          const input = parsed(updateInput, rawInput);
          const client = clientFor(ctx);
          const { previous, changed } = planUpdate(await client.employee(input.id), input);
          if (Object.keys(changed).length > 0) await client.update(input.id, bodyOf(changed));
          return { id: input.id, changed, previous };
        },
        dryRun: async (rawInput, ctx): Promise<DryRun> => {
          const input = parsed(updateInput, rawInput);
          const current = await clientFor(ctx).employee(input.id);
          const { changed } = planUpdate(current, input);
          const object = `BambooHR employee ${input.id} (${fullName(current)})`;
          if (Object.keys(changed).length === 0)
            return { changes: [], warnings: [`Nothing would change: ${object} already has these values`] };
          return { changes: [{ op: "update", object, fields: changed }], warnings: [] };
        },
      },
    },
    {
      test: async (ctx) => {
        const { config, client } = connectionFor(ctx);
        // Employee 0 is the API key's own user: a harmless authenticated read.
        const self = await client.employee("0");
        return `Signed in to BambooHR (${config.companyDomain}) as ${fullName(self)}`;
      },
    },
  );
}

export const bambooHrDriver = createBambooHrDriver();
