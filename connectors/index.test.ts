import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ToolCallContext, ToolDryRun } from "@/server/kernel/tools/registry";
import type { AnyConnectorManifest } from "./catalog";
import {
  buildToolRegistry,
  CONNECTORS,
  connector,
  installedTools,
  toToolActions,
  type AnyRegisteredConnector,
} from "./index";
import { defineAction, defineDriver, defineManifest, type DriverContext, type DryRun } from "./sdk";

/** Small connectors built here, so the registry's rules are tested whatever is installed. */
const roomInput = z.object({ roomId: z.string().trim(), start: z.string(), end: z.string() });
const bookingOutput = z.object({ bookingId: z.string() });

const rooms = defineManifest({
  id: "rooms",
  version: "1.0.0",
  name: "Rooms",
  category: "facilities",
  description: "Books rooms in Tenet",
  auth: { type: "built-in" },
  rateLimits: { concurrency: 4, requestsPerMinute: 600 },
  actions: {
    book: defineAction({
      action: "facilities.room.book",
      title: "Book a room",
      effect: "write",
      input: roomInput,
      output: bookingOutput,
      reversible: {
        by: "facilities.booking.cancel",
        input: (_input, output) => ({ bookingId: output.bookingId }),
      },
      resources: (input) => [
        { key: `room:${input.roomId}`, from: new Date(input.start), to: new Date(input.end) },
      ],
      onConflict: "fail",
      scopes: [],
      timeoutMs: 5_000,
      maxParallel: 3,
      describe: (input) => `Book ${input.roomId}`,
    }),
    cancel: defineAction({
      action: "facilities.booking.cancel",
      title: "Cancel a booking",
      effect: "write",
      input: bookingOutput,
      output: z.object({ cancelled: z.boolean() }),
      reversible: false,
      scopes: [],
      timeoutMs: 5_000,
      describe: (input) => `Cancel ${input.bookingId}`,
    }),
  },
});

const calls: { action: string; input: unknown; ctx: DriverContext }[] = [];
const noChanges = (): Promise<DryRun> => Promise.resolve({ changes: [], warnings: [] });
const roomsDriver = defineDriver(rooms, {
  book: {
    run: (input, ctx) => {
      calls.push({ action: "book", input, ctx });
      return Promise.resolve({ bookingId: `b-${input.roomId}` });
    },
    dryRun: (input) =>
      Promise.resolve({ changes: [{ op: "create", object: `booking of ${input.roomId}` }], warnings: [] }),
  },
  cancel: { run: () => Promise.resolve({ cancelled: true }), dryRun: noChanges },
});

const apiKeyAuth = {
  type: "api_key" as const,
  credentials: z.object({ apiKey: z.string() }),
  config: z.object({ baseUrl: z.url() }),
};
const directory = defineManifest({
  id: "directory",
  version: "0.1.0",
  name: "Directory",
  category: "it",
  description: "Looks up accounts",
  auth: apiKeyAuth,
  actions: {
    lookup: defineAction({
      action: "it.account.read",
      title: "Look up an account",
      effect: "read",
      input: z.object({ email: z.email() }),
      output: z.object({ found: z.boolean() }),
      reversible: false,
      scopes: ["users:read"],
      timeoutMs: 2_000,
      describe: (input) => `Look up ${input.email}`,
    }),
  },
});
const directoryDriver = defineDriver(
  directory,
  { lookup: { run: () => Promise.resolve({ found: true }) } },
  { test: (ctx) => Promise.resolve(`Signed in to ${JSON.stringify(ctx.connection?.config.baseUrl)}`) },
);

const ctx: DriverContext = {
  tenantId: "3f0c8a52-5d7e-4b61-9a0e-2f1d4c6b7a80",
  actor: { userId: "6b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", agentId: null, label: "Alice" },
  syscallId: "s-1",
  idempotencyKey: null,
  signal: new AbortController().signal,
  tenant: () => Promise.reject(new Error("no database in unit tests")),
  connection: null,
};

const catalogOf = (
  registered: Record<string, AnyRegisteredConnector>,
): Record<string, AnyConnectorManifest> =>
  Object.fromEntries(Object.entries(registered).map(([key, r]) => [key, r.manifest]));
const build = (registered: Record<string, AnyRegisteredConnector>) =>
  buildToolRegistry(registered, catalogOf(registered));

describe("the SDK and the kernel agree", () => {
  it("a driver's context is the kernel's tool call context, and a dry run is the kernel's", () => {
    expectTypeOf<DriverContext>().toEqualTypeOf<ToolCallContext>();
    expectTypeOf<DryRun>().toEqualTypeOf<ToolDryRun>();
  });
});

describe("toToolActions", () => {
  it("gives the kernel each action with its manifest's declarations and its driver's functions", async () => {
    const [book, cancel] = toToolActions(rooms, roomsDriver);
    expect(book).toMatchObject({
      action: "facilities.room.book",
      connector: "rooms",
      effect: "write",
      needsConnection: false,
      timeoutMs: 5_000,
      maxParallel: 3,
      onConflict: "fail",
      scopes: [],
      reversible: { by: "facilities.booking.cancel" },
    });
    expect(cancel?.reversible).toBe(false);
    const input = roomInput.parse({
      roomId: "r-1",
      start: "2026-12-01T09:00:00Z",
      end: "2026-12-01T10:00:00Z",
    });
    expect(book?.describe(input)).toBe("Book r-1");
    expect(book?.leases?.(input)).toEqual([
      { key: "room:r-1", from: new Date("2026-12-01T09:00:00Z"), to: new Date("2026-12-01T10:00:00Z") },
    ]);
    expect(book?.reversible && book.reversible.input(input, { bookingId: "b-1" })).toEqual({
      bookingId: "b-1",
    });
    expect(await book?.run(input, ctx)).toEqual({ bookingId: "b-r-1" });
    expect(calls.at(-1)).toMatchObject({ action: "book", input, ctx: { syscallId: "s-1" } });
    expect(await book?.dryRun?.(input, ctx)).toEqual({
      changes: [{ op: "create", object: "booking of r-1" }],
      warnings: [],
    });
    const [lookup] = toToolActions(directory, directoryDriver);
    expect(lookup).toMatchObject({ needsConnection: true, scopes: ["users:read"], effect: "read" });
    expect(lookup?.dryRun).toBeUndefined();
  });
});

describe("buildToolRegistry", () => {
  it("registers every action and each connector's limits and connection test", async () => {
    const registry = build({
      rooms: connector(rooms, roomsDriver),
      directory: connector(directory, directoryDriver),
    });
    expect(registry.actions().sort()).toEqual([
      "facilities.booking.cancel",
      "facilities.room.book",
      "it.account.read",
    ]);
    expect(registry.connector("rooms")).toEqual({
      id: "rooms",
      rateLimits: { concurrency: 4, requestsPerMinute: 600 },
    });
    const test = registry.connector("directory")?.test;
    expect(
      await test?.({
        ...ctx,
        connection: { id: "c-1", config: { baseUrl: "https://dir.example" }, credentials: {} },
      }),
    ).toBe('Signed in to "https://dir.example"');
  });

  it("refuses a write or destructive action without a dry run", () => {
    const driver = defineDriver(rooms, {
      ...roomsDriver.actions,
      cancel: { run: () => Promise.resolve({ cancelled: true }) },
    });
    expect(() => build({ rooms: connector(rooms, driver) })).toThrow(
      "Connector rooms: cancel: facilities.booking.cancel is a write action without a dry run",
    );
  });

  it("refuses an action reversible by an action its connector does not provide", () => {
    const manifest = defineManifest({ ...rooms, actions: { book: rooms.actions.book } });
    const driver = defineDriver(manifest, { book: roomsDriver.actions.book });
    expect(() => build({ rooms: connector(manifest, driver) })).toThrow(
      "Connector rooms: book: reversible by facilities.booking.cancel, which this connector does not provide",
    );
  });

  it("refuses a connector filed under another key, or with an id that is not a connector name", () => {
    expect(() => build({ meeting: connector(rooms, roomsDriver) })).toThrow(
      'Connector rooms: it is registered under "meeting"',
    );
    const shouting = defineManifest({ ...rooms, id: "Rooms!" });
    expect(() =>
      build({ "Rooms!": connector(shouting, defineDriver(shouting, roomsDriver.actions)) }),
    ).toThrow('Connector Rooms!: its id must be lowercase letters, digits, ".", "_" or "-"');
  });

  it("refuses a manifest that is not the catalog's, and a catalog entry without a driver", () => {
    const registered = { rooms: connector(rooms, roomsDriver) };
    expect(() => buildToolRegistry(registered, { rooms: { ...rooms } })).toThrow(
      "Connector rooms: its manifest is not the one in connectors/catalog.ts",
    );
    expect(() => buildToolRegistry(registered, { ...catalogOf(registered), directory })).toThrow(
      "Connector directory: its manifest has no driver in connectors/index.ts",
    );
  });

  it("refuses a connector that takes a connection but declares no credential or config schema", () => {
    const { config: _config, ...withoutConfig } = apiKeyAuth;
    const broken: AnyConnectorManifest = {
      ...directory,
      auth: { ...withoutConfig, config: undefined as never },
    };
    expect(() => build({ directory: { manifest: broken, driver: directoryDriver } })).toThrow(
      "Connector directory: api_key connectors declare credential and config schemas",
    );
  });

  it("refuses an effect other than the kernel's, an action the kernel does not know, and driver/manifest mismatches", () => {
    const sneaky = defineManifest({
      ...directory,
      actions: { lookup: { ...directory.actions.lookup, action: "hr.employee.offboard" as const } },
    });
    expect(() =>
      build({ directory: connector(sneaky, defineDriver(sneaky, directoryDriver.actions)) }),
    ).toThrow(
      "Connector directory: lookup: declares hr.employee.offboard as read, but the kernel knows it as destructive",
    );
    const unknown: AnyConnectorManifest = {
      ...directory,
      actions: {
        lookup: {
          ...directory.actions.lookup,
          action: JSON.parse('"it.account.delete"') as "it.account.read",
        },
      },
    };
    expect(() => build({ directory: { manifest: unknown, driver: directoryDriver } })).toThrow(
      "Connector directory: lookup: it.account.delete is not an action the kernel knows",
    );
    const extra = {
      ...directoryDriver,
      actions: { ...directoryDriver.actions, wipe: directoryDriver.actions.lookup },
    };
    expect(() => build({ directory: { manifest: directory, driver: extra } })).toThrow(
      "Connector directory: the driver has wipe, which the manifest does not declare",
    );
    expect(() => build({ directory: { manifest: directory, driver: { actions: {} } } })).toThrow(
      "Connector directory: the driver does not implement lookup (it.account.read)",
    );
  });

  it("refuses two connectors providing one action, and rate limits that are not positive whole numbers", () => {
    const twin = defineManifest({ ...directory, id: "twin" });
    expect(() =>
      build({
        directory: connector(directory, directoryDriver),
        twin: connector(twin, defineDriver(twin, directoryDriver.actions)),
      }),
    ).toThrow("it.account.read is provided by both directory and twin");
    const limited = defineManifest({ ...directory, rateLimits: { requestsPerMinute: 0 } });
    expect(() =>
      build({ directory: connector(limited, defineDriver(limited, directoryDriver.actions)) }),
    ).toThrow("directory: rateLimits.requestsPerMinute must be a positive whole number");
  });
});

describe("the installed connectors", () => {
  it("are the catalog's, each registered under its id, and all pass the checks above", () => {
    const registered: Record<string, AnyRegisteredConnector> = CONNECTORS;
    for (const [key, { manifest }] of Object.entries(registered)) expect(manifest.id).toBe(key);
    expect(installedTools.actions().length).toBe(
      Object.values(registered).reduce((n, { manifest }) => n + Object.keys(manifest.actions).length, 0),
    );
  });
});
