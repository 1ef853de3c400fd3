import { z } from "zod";
import { defineAction, defineManifest } from "@/connectors/sdk";
import type { ManifestCatalog } from "./catalog-view";

/**
 * Connectors for tests of the Connectors page's API and views, so they do not depend on which real
 * connectors are installed: one that takes a connection (an API key and settings), one built in.
 */

export const TEST_API_KEY = /^hk_[A-Za-z0-9]{20,}$/;

const employee = z.object({ id: z.string(), email: z.email() });

export const testHris = defineManifest({
  id: "test-hris",
  version: "1.2.0",
  name: "Test HRIS",
  category: "hr",
  description: "A made-up HR system reached over its REST API.",
  auth: {
    type: "api_key",
    credentials: z.strictObject({
      apiKey: z.string().regex(TEST_API_KEY, "Paste a key that starts with hk_").describe("API key"),
      accountId: z.string().min(1).optional(),
    }),
    config: z.strictObject({
      baseUrl: z.url("Enter the API's address, e.g. https://hr.example.com").describe("Base URL"),
      allowedHosts: z.array(z.string()).default([]).describe("Private hosts this connection may reach"),
      region: z.enum(["eu", "us"]).optional(),
    }),
  },
  rateLimits: { concurrency: 4, requestsPerMinute: 120 },
  actions: {
    read: defineAction({
      action: "hr.remote.employee.read",
      title: "Look up an employee",
      effect: "read",
      input: z.object({ email: z.email() }),
      output: employee,
      reversible: false,
      scopes: ["employees:read"],
      timeoutMs: 10_000,
      describe: (input) => `Look up ${input.email}`,
    }),
    create: defineAction({
      action: "hr.remote.employee.create",
      title: "Create an employee",
      effect: "write",
      input: z.object({ email: z.email(), name: z.string().min(1) }),
      output: employee,
      reversible: false,
      scopes: ["employees:write"],
      timeoutMs: 15_000,
      maxParallel: 2,
      describe: (input) => `Create ${input.name} <${input.email}>`,
    }),
  },
});

export const testRooms = defineManifest({
  id: "test-rooms",
  version: "1.0.0",
  name: "Test rooms",
  category: "facilities",
  description: "Rooms in Tenet's own database.",
  auth: { type: "built-in" },
  actions: {
    book: defineAction({
      action: "facilities.room.book",
      title: "Book a room",
      effect: "write",
      input: z.object({ roomId: z.string(), start: z.iso.datetime(), end: z.iso.datetime() }),
      output: z.object({ bookingId: z.string() }),
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
      describe: (input) => `Book room ${input.roomId}`,
    }),
    cancel: defineAction({
      action: "facilities.booking.cancel",
      title: "Cancel a booking",
      effect: "write",
      input: z.object({ bookingId: z.string() }),
      output: z.object({ cancelled: z.boolean() }),
      reversible: false,
      scopes: [],
      timeoutMs: 5_000,
      describe: (input) => `Cancel booking ${input.bookingId}`,
    }),
  },
});

export const TEST_MANIFESTS: ManifestCatalog = { [testHris.id]: testHris, [testRooms.id]: testRooms };
