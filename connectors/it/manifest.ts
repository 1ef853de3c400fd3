import {
  assignDeviceInput,
  assignDeviceOutput,
  returnDeviceInput,
  returnDeviceOutput,
} from "@/server/it/devices-schemas";
import { accessRequestInput, accessRequestOutput } from "@/server/it/access-request-schemas";
import { defineAction, defineManifest } from "../sdk";

/**
 * The IT connector, built in: the tenant's own device inventory (server/it/devices.ts). Assigning a
 * named device leases `device:<id>`, so two agents cannot hand out the same laptop at once; an
 * assignment by kind takes the first in stock, and the database lets only one assignment of a device
 * through whatever the path.
 */
export const itManifest = defineManifest({
  id: "it",
  version: "1.0.0",
  name: "IT assets",
  category: "it",
  description:
    "Assigns the tenant's devices (laptops, phones, monitors, …) to people, or to a new hire's HR record before they have an account, and takes them back, and records requests for app access from the access catalog.",
  auth: { type: "built-in" },
  actions: {
    "it.device.assign": defineAction({
      action: "it.device.assign",
      title: "Assign a device",
      effect: "write",
      input: assignDeviceInput,
      output: assignDeviceOutput,
      reversible: { by: "it.device.return", input: (_input, output) => ({ deviceId: output.deviceId }) },
      resources: (input) => (input.deviceId === undefined ? [] : [{ key: `device:${input.deviceId}` }]),
      scopes: [],
      timeoutMs: 10_000,
      describe: (input) => {
        const to = input.employeeId === undefined ? `user ${input.userId}` : `employee ${input.employeeId}`;
        return input.deviceId === undefined
          ? `Assign the first ${input.kind ?? "device"} in stock to ${to}`
          : `Assign device ${input.deviceId} to ${to}`;
      },
    }),
    "it.device.return": defineAction({
      action: "it.device.return",
      title: "Take back a device",
      effect: "write",
      input: returnDeviceInput,
      output: returnDeviceOutput,
      // Handing it back to the same person (by their HR record when it was handed to that); a device
      // sent to repair cannot be, and the assign says so.
      reversible: {
        by: "it.device.assign",
        input: (_input, output) =>
          output.employeeId === null
            ? { deviceId: output.deviceId, userId: output.userId ?? undefined }
            : { deviceId: output.deviceId, employeeId: output.employeeId },
      },
      resources: (input) => [{ key: `device:${input.deviceId}` }],
      scopes: [],
      timeoutMs: 10_000,
      describe: (input) =>
        `Take back device ${input.deviceId}${input.to === "repair" ? " and send it to repair" : ""}`,
    }),
    "it.access.request": defineAction({
      action: "it.access.request",
      title: "Request app access",
      effect: "write",
      input: accessRequestInput,
      output: accessRequestOutput,
      // Withdrawing a request has no action in the kernel's catalog yet.
      reversible: false,
      // One open request per person and role: two calls for the same pair do not race.
      resources: (input) => [{ key: `access-request:${input.roleId}:${input.userId}` }],
      scopes: [],
      timeoutMs: 10_000,
      describe: (input) => `Request role ${input.roleId} for user ${input.userId}: ${input.reason}`,
    }),
  },
});
