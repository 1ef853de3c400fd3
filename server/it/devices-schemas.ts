import { z } from "zod";

/**
 * The device inventory's vocabulary and the `it` connector's device action schemas: plain zod, so the
 * connector's manifest stays safe to import anywhere (pages list it). The database checks the same
 * lists (migration …_it_assets).
 */

export const DEVICE_KINDS = [
  "laptop",
  "desktop",
  "phone",
  "tablet",
  "monitor",
  "dock",
  "keyboard",
  "mouse",
  "headset",
  "other",
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const DEVICE_STATUSES = ["in_stock", "assigned", "repair", "retired"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export const deviceKind = z.enum(DEVICE_KINDS, `Choose one of: ${DEVICE_KINDS.join(", ")}`);
export const conditionNotes = z.string().trim().max(2000, "Use at most 2000 characters");

export const assignDeviceInput = z
  .object({
    /** A particular device; or `kind`, to take the first in stock of that kind (by asset tag). */
    deviceId: z.uuid("Choose a device").optional(),
    kind: deviceKind.optional(),
    /** To whom: a member's account, or an HR employee record (a new hire before they have an account). */
    userId: z.uuid("Choose a person").optional(),
    employeeId: z.uuid("Choose an employee").optional(),
    condition: conditionNotes.optional(),
  })
  .refine((i) => (i.deviceId === undefined) !== (i.kind === undefined), {
    message: "Give either a device or a kind of device, not both",
    path: ["deviceId"],
  })
  .refine((i) => (i.userId === undefined) !== (i.employeeId === undefined), {
    message: "Give either a person or an employee record, not both",
    path: ["userId"],
  });
export type AssignDeviceInput = z.output<typeof assignDeviceInput>;

export const returnDeviceInput = z.object({
  deviceId: z.uuid("Choose a device"),
  condition: conditionNotes.optional(),
  /** Where the device goes: back in stock (default) or to repair. */
  to: z.enum(["in_stock", "repair"], "Choose in_stock or repair").default("in_stock"),
});
export type ReturnDeviceInput = z.output<typeof returnDeviceInput>;

export const assignDeviceOutput = z.strictObject({
  assignmentId: z.uuid(),
  deviceId: z.uuid(),
  assetTag: z.string(),
  kind: deviceKind,
  model: z.string(),
  /** The holder's account and HR record, as the assignment names them (at least one). */
  userId: z.uuid().nullable(),
  employeeId: z.uuid().nullable(),
  assignedAt: z.iso.datetime(),
});
export type AssignDeviceOutput = z.output<typeof assignDeviceOutput>;

export const returnDeviceOutput = z.strictObject({
  assignmentId: z.uuid(),
  deviceId: z.uuid(),
  assetTag: z.string(),
  userId: z.uuid().nullable(),
  employeeId: z.uuid().nullable(),
  returnedAt: z.iso.datetime(),
  status: z.enum(["in_stock", "repair"]),
});
export type ReturnDeviceOutput = z.output<typeof returnDeviceOutput>;
