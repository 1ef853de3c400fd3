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
    userId: z.uuid("Choose a person"),
    condition: conditionNotes.optional(),
  })
  .refine((i) => (i.deviceId === undefined) !== (i.kind === undefined), {
    message: "Give either a device or a kind of device, not both",
    path: ["deviceId"],
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
  userId: z.uuid(),
  assignedAt: z.iso.datetime(),
});
export type AssignDeviceOutput = z.output<typeof assignDeviceOutput>;

export const returnDeviceOutput = z.strictObject({
  assignmentId: z.uuid(),
  deviceId: z.uuid(),
  assetTag: z.string(),
  userId: z.uuid(),
  returnedAt: z.iso.datetime(),
  status: z.enum(["in_stock", "repair"]),
});
export type ReturnDeviceOutput = z.output<typeof returnDeviceOutput>;
