/**
 * zod schemas for the SCIM 2.0 resources and messages Tenet exchanges (RFC 7643 §4, RFC 7644 §3).
 * Objects are loose: SCIM peers send attributes beyond the common ones (phoneNumbers, addresses,
 * custom extensions), and RFC 7644 §3.3 asks a provider to ignore what it does not understand rather
 * than reject it.
 */
import { z } from "zod";
import { scimTypes } from "./errors";

export const schemaUrns = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  enterpriseUser: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
} as const;

/** The media type of every SCIM request and response body (RFC 7644 §3.1, §8.1). */
export const scimMediaType = "application/scim+json";

/** RFC 7643 §3.1: set by the service provider, readOnly. */
export const metaSchema = z.looseObject({
  resourceType: z.string().optional(),
  created: z.string().optional(),
  lastModified: z.string().optional(),
  location: z.string().optional(),
  version: z.string().optional(),
});

/** A value of a multi-valued attribute (RFC 7643 §2.4): value, display, type, primary. */
export const multiValueSchema = z.looseObject({
  value: z.string().optional(),
  display: z.string().optional(),
  type: z.string().optional(),
  primary: z.boolean().optional(),
});

export const emailSchema = multiValueSchema.extend({ value: z.string() });

/** RFC 7643 §4.1.1 `name`. */
export const nameSchema = z.looseObject({
  formatted: z.string().optional(),
  familyName: z.string().optional(),
  givenName: z.string().optional(),
  middleName: z.string().optional(),
  honorificPrefix: z.string().optional(),
  honorificSuffix: z.string().optional(),
});

/** RFC 7643 §4.1.2 `groups`: readOnly on the User, maintained through the Group's members. */
export const userGroupSchema = z.looseObject({
  value: z.string(),
  $ref: z.string().optional(),
  display: z.string().optional(),
  type: z.enum(["direct", "indirect"]).optional(),
});

/** RFC 7643 §4.3: the Enterprise User extension's commonly provisioned attributes. */
export const enterpriseUserSchema = z.looseObject({
  employeeNumber: z.string().optional(),
  costCenter: z.string().optional(),
  organization: z.string().optional(),
  division: z.string().optional(),
  department: z.string().optional(),
  manager: z
    .looseObject({
      value: z.string().optional(),
      $ref: z.string().optional(),
      displayName: z.string().optional(),
    })
    .optional(),
});

const schemasSchema = z.array(z.string()).min(1);

/** RFC 7643 §4.1 User. Only `userName` is required; it is unique and case-insensitive (§4.1.1). */
export const userSchema = z.looseObject({
  schemas: schemasSchema,
  id: z.string().optional(),
  externalId: z.string().optional(),
  userName: z.string().min(1),
  name: nameSchema.optional(),
  displayName: z.string().optional(),
  emails: z.array(emailSchema).optional(),
  active: z.boolean().optional(),
  groups: z.array(userGroupSchema).optional(),
  [schemaUrns.enterpriseUser]: enterpriseUserSchema.optional(),
  meta: metaSchema.optional(),
});
export type ScimUser = z.infer<typeof userSchema>;

/** RFC 7643 §4.2 Group member: `value` is the member's id. */
export const memberSchema = z.looseObject({
  value: z.string(),
  $ref: z.string().optional(),
  display: z.string().optional(),
  type: z.enum(["User", "Group"]).optional(),
});
export type ScimMember = z.infer<typeof memberSchema>;

/** RFC 7643 §4.2 Group. */
export const groupSchema = z.looseObject({
  schemas: schemasSchema,
  id: z.string().optional(),
  externalId: z.string().optional(),
  displayName: z.string().min(1),
  members: z.array(memberSchema).optional(),
  meta: metaSchema.optional(),
});
export type ScimGroup = z.infer<typeof groupSchema>;

/** RFC 7644 §3.4.2: a query response. `Resources` may be omitted when totalResults is 0. */
export const listResponseSchema = <T extends z.ZodType>(resource: T) =>
  z.looseObject({
    schemas: schemasSchema,
    totalResults: z.number().int().min(0),
    startIndex: z.number().int().min(1).optional(),
    itemsPerPage: z.number().int().min(0).optional(),
    Resources: z.array(resource).default([]),
  });
export interface ScimListResponse<T> {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly resources: T[];
}

/**
 * RFC 7644 §3.5.2: `op` is "add", "remove" or "replace". Compared case-insensitively because Entra ID
 * sends "Add", "Replace" and "Remove".
 */
export const patchOperationSchema = z.object({
  op: z
    .string()
    .transform((op) => op.toLowerCase())
    .pipe(z.enum(["add", "remove", "replace"])),
  path: z.string().min(1).optional(),
  value: z.unknown().optional(),
});
export type PatchOperation = z.infer<typeof patchOperationSchema>;
export type PatchOperationInput = z.input<typeof patchOperationSchema>;

export const patchOpSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(schemaUrns.patchOp), {
    message: `schemas must contain ${schemaUrns.patchOp}`,
  }),
  Operations: z.array(patchOperationSchema).min(1),
});
export type PatchOp = z.infer<typeof patchOpSchema>;

/**
 * RFC 7644 §3.12 Error. `status` is a string on the wire ("409"); some providers send a number, which
 * is accepted and normalized. An unknown `scimType` is kept out rather than failing the whole parse.
 */
export const errorResponseSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  status: z.union([z.string(), z.number()]).transform((s) => Number(s)),
  scimType: z
    .string()
    .optional()
    .transform((t) => scimTypes.find((known) => known === t) ?? null),
  detail: z.string().optional(),
});

export function errorResponse(status: number, scimType: string | null, detail: string) {
  return {
    schemas: [schemaUrns.error],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}
