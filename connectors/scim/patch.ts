/**
 * SCIM PATCH (RFC 7644 §3.5.2): applies a PatchOp's operations to a resource. The operations apply in
 * order and atomically: one failure and the resource is returned unchanged with the error (§3.5.2
 * "each operation ... is applied in sequence ... if any fails, the whole request fails").
 *
 * Besides the RFC, this accepts what the identity providers Tenet serves actually send:
 * - Entra ID spells ops "Add", "Replace", "Remove";
 * - Entra's "Replace" without a path carries dotted paths as keys (`{"name.givenName": "Ann"}`) and
 *   booleans as strings (`"active": "False"`);
 * - Entra's "Add" to `emails[type eq "work"].value` on a user without a work email means "add a work
 *   email", so an unmatched `eq` filter on add creates the element it describes;
 * - Entra and Okta remove group members with `{"op":"remove","path":"members","value":[{"value":id}]}`.
 */
import { isDeepStrictEqual } from "node:util";
import { invalidValue, mutability, noTarget, ScimError } from "./errors";
import { getAttribute, isRecord, matchesValueFilter, valuesOf } from "./evaluate";
import { parsePatchPath, type FilterNode, type PatchPath } from "./filter";
import { schemaUrns } from "./schema";

export interface PatchOperationLike {
  readonly op: string;
  readonly path?: string | undefined;
  readonly value?: unknown;
}

export type PatchResult =
  | { readonly ok: true; readonly resource: Record<string, unknown> }
  | { readonly ok: false; readonly error: ScimError };

export interface PatchOptions {
  /** Top-level attributes a client may not change (RFC 7643 §2.2 mutability readOnly). Default: id, meta, and groups on a User. */
  readonly readOnly?: readonly string[];
  /** Multi-valued attribute names, for attributes not yet present; added to the core schema's. */
  readonly multiValued?: readonly string[];
  /** Extension schema URNs whose objects may appear as keys of a path-less value. Default: Enterprise User. */
  readonly extensions?: readonly string[];
}

/** RFC 7643 §4.1.2 and §4.2: the core schema's multi-valued attributes. */
const coreMultiValued = [
  "emails",
  "phoneNumbers",
  "ims",
  "photos",
  "addresses",
  "groups",
  "entitlements",
  "roles",
  "x509Certificates",
  "members",
];

/** Boolean attributes some IdPs send as the strings "True"/"False" (Entra ID). */
const booleanAttributes = new Set(["active", "primary"]);

interface Context {
  readonly readOnly: ReadonlySet<string>;
  readonly multiValued: ReadonlySet<string>;
  readonly extensions: readonly string[];
}

/** Applies the operations to a copy of `resource`; the input is never modified. */
export function applyPatch(
  resource: Record<string, unknown>,
  operations: readonly PatchOperationLike[],
  options: PatchOptions = {},
): PatchResult {
  const schemas = valuesOf(resource.schemas);
  const context: Context = {
    readOnly: new Set(
      (options.readOnly ?? ["id", "meta", ...(schemas.includes(schemaUrns.user) ? ["groups"] : [])]).map(
        (name) => name.toLowerCase(),
      ),
    ),
    multiValued: new Set(
      [...coreMultiValued, ...(options.multiValued ?? [])].map((name) => name.toLowerCase()),
    ),
    extensions: options.extensions ?? [schemaUrns.enterpriseUser],
  };
  const copy = structuredClone(resource);
  try {
    for (const operation of operations) applyOperation(copy, operation, context);
  } catch (error) {
    if (error instanceof ScimError) return { ok: false, error };
    throw error;
  }
  return { ok: true, resource: copy };
}

type Op = "add" | "replace" | "remove";

function applyOperation(
  resource: Record<string, unknown>,
  operation: PatchOperationLike,
  context: Context,
): void {
  const op = operation.op.toLowerCase();
  if (op !== "add" && op !== "replace" && op !== "remove") {
    throw invalidValue(`Unknown PATCH op '${operation.op}': expected add, replace or remove`);
  }
  if (operation.path === undefined || operation.path === "") {
    // RFC 7644 §3.5.2.2: remove without a path fails with noTarget.
    if (op === "remove") throw noTarget("A remove operation needs a path");
    applyWithoutPath(resource, op, operation.value, context);
    return;
  }
  // A path naming a whole extension (RFC 7644 §3.10) is the extension object, not an attribute in it.
  const extension = context.extensions.find((urn) => urn.toLowerCase() === operation.path?.toLowerCase());
  if (extension) {
    if (op === "remove") {
      delete resource[keyOf(resource, extension)];
      resource.schemas = valuesOf(resource.schemas).filter(
        (s) => typeof s !== "string" || s.toLowerCase() !== extension.toLowerCase(),
      );
    } else {
      applyWithoutPath(resource, op, { [extension]: operation.value }, context);
    }
    return;
  }
  applyAtPath(resource, op, parsePatchPath(operation.path), operation.value, context);
}

/**
 * RFC 7644 §3.5.2.1 and §3.5.2.3: without a path the value is an object of attributes, each added or
 * replaced as if it were the path. Keys may be extension URNs holding objects, or (Entra) dotted paths.
 */
function applyWithoutPath(
  resource: Record<string, unknown>,
  op: "add" | "replace",
  value: unknown,
  context: Context,
) {
  if (!isRecord(value)) throw invalidValue(`An ${op} operation without a path needs an object value`);
  for (const [key, item] of Object.entries(value)) {
    if (key.toLowerCase() === "schemas") continue;
    const extension = context.extensions.find((urn) => urn.toLowerCase() === key.toLowerCase());
    if (extension && isRecord(item)) {
      for (const [subKey, subItem] of Object.entries(item)) {
        applyAtPath(resource, op, parsePatchPath(`${extension}:${subKey}`), subItem, context);
      }
      continue;
    }
    const target = parsePatchPath(key);
    // A read-only attribute sent back unchanged is not an attempt to modify it.
    if (context.readOnly.has(target.path.attribute.toLowerCase()) && target.path.schema === null) {
      if (isDeepStrictEqual(getAttribute(resource, target.path.attribute), item)) continue;
    }
    applyAtPath(resource, op, target, item, context);
  }
}

function applyAtPath(
  resource: Record<string, unknown>,
  op: Op,
  target: PatchPath,
  value: unknown,
  context: Context,
) {
  const { path, filter, subAttribute } = target;
  const inExtension =
    path.schema !== null &&
    path.schema.toLowerCase() !== schemaUrns.user.toLowerCase() &&
    path.schema.toLowerCase() !== schemaUrns.group.toLowerCase();
  if (!inExtension && context.readOnly.has(path.attribute.toLowerCase())) {
    throw mutability(`'${path.attribute}' is read-only and cannot be modified`);
  }
  if (op !== "remove" && value === undefined) throw invalidValue(`An ${op} operation needs a value`);
  const container = inExtension ? extensionObject(resource, path.schema ?? "", op !== "remove") : resource;
  if (!container) return; // removing from an extension the resource does not have: nothing to remove
  const key = keyOf(container, path.attribute);
  const multiValued = context.multiValued.has(path.attribute.toLowerCase()) || Array.isArray(container[key]);

  if (filter) {
    if (!multiValued)
      throw noTarget(`'${path.attribute}' is not multi-valued, so it cannot take a value filter`);
    applyFiltered(container, key, op, filter, subAttribute, value);
    return;
  }
  if (path.subAttribute !== null) {
    applySubAttribute(container, key, path.subAttribute, op, value);
    return;
  }
  const current = container[key];
  if (op === "remove") {
    if (value !== undefined && Array.isArray(current)) {
      // Entra/Okta: remove the listed values from a multi-valued attribute (e.g. group members).
      const remaining = valuesOf(current).filter(
        (item) => !valuesOf(value).some((gone) => sameValue(item, gone)),
      );
      setList(container, key, remaining);
    } else {
      delete container[key];
    }
    return;
  }
  if (multiValued) {
    const added = valuesOf(value).map((item) => coerce(path.attribute, item));
    // RFC 7644 §3.5.2.1: add appends to a multi-valued attribute and skips values already there;
    // §3.5.2.3: replace without a filter replaces all of its values.
    const base = op === "add" ? valuesOf(current) : [];
    const list = [...base];
    for (const item of added) if (!list.some((existing) => sameValue(existing, item))) list.push(item);
    setList(container, key, onePrimary(list, added));
    return;
  }
  if (isRecord(current) && isRecord(value)) {
    // RFC 7644 §3.5.2.1/§3.5.2.3: a complex attribute's sub-attributes are merged; those not given stay.
    for (const [subKey, subValue] of Object.entries(value))
      current[keyOf(current, subKey)] = coerce(subKey, subValue);
    return;
  }
  container[key] = coerce(path.attribute, value);
}

function applySubAttribute(
  container: Record<string, unknown>,
  key: string,
  sub: string,
  op: Op,
  value: unknown,
) {
  const parent = container[key];
  if (op === "remove") {
    for (const item of valuesOf(parent)) if (isRecord(item)) delete item[keyOf(item, sub)];
    return;
  }
  if (Array.isArray(parent)) {
    for (const item of valuesOf(parent)) if (isRecord(item)) item[keyOf(item, sub)] = coerce(sub, value);
    return;
  }
  const record = isRecord(parent) ? parent : {};
  record[keyOf(record, sub)] = coerce(sub, value);
  container[key] = record;
}

/** `emails[type eq "work"]` and `emails[type eq "work"].value` (RFC 7644 §3.5.2.1–3). */
function applyFiltered(
  container: Record<string, unknown>,
  key: string,
  op: Op,
  filter: FilterNode,
  sub: string | null,
  value: unknown,
) {
  const list = valuesOf(container[key]);
  const matched = list.filter((item) => matchesValueFilter(filter, item, key));
  if (op === "remove") {
    if (sub === null) {
      // §3.5.2.2: the matched values are removed; none left means the attribute is unassigned.
      setList(
        container,
        key,
        list.filter((item) => !matched.includes(item)),
      );
    } else {
      for (const item of matched) if (isRecord(item)) delete item[keyOf(item, sub)];
    }
    return;
  }
  if (matched.length === 0) {
    const described = op === "add" ? describedElement(filter) : null;
    // §3.5.2.3: a value filter that matches nothing fails with noTarget.
    if (!described) throw noTarget(`No value of '${key}' matches the filter`);
    if (sub !== null) described[sub] = coerce(sub, value);
    else if (isRecord(value)) Object.assign(described, value);
    else throw invalidValue(`A value for '${key}' must be an object`);
    setList(container, key, onePrimary([...list, described], [described]));
    return;
  }
  for (const item of matched) {
    if (!isRecord(item)) continue;
    if (sub !== null) {
      item[keyOf(item, sub)] = coerce(sub, value);
    } else if (!isRecord(value)) {
      throw invalidValue(`A value for '${key}' must be an object`);
    } else if (op === "add") {
      for (const [subKey, subValue] of Object.entries(value))
        item[keyOf(item, subKey)] = coerce(subKey, subValue);
    } else {
      // §3.5.2.3: replace with a filter and no sub-attribute replaces the whole matched value.
      for (const existing of Object.keys(item)) delete item[existing];
      for (const [subKey, subValue] of Object.entries(value)) item[subKey] = coerce(subKey, subValue);
    }
  }
  setList(
    container,
    key,
    onePrimary(list, sub === "primary" || (sub === null && isRecord(value)) ? matched : []),
  );
}

/** The element an `eq` filter (or `and` of them) describes, e.g. `type eq "work"` → `{ type: "work" }`. */
function describedElement(filter: FilterNode): Record<string, unknown> | null {
  if (
    filter.kind === "compare" &&
    filter.op === "eq" &&
    filter.path.subAttribute === null &&
    filter.path.schema === null
  ) {
    return { [filter.path.attribute]: filter.value };
  }
  if (filter.kind === "and") {
    const left = describedElement(filter.left);
    const right = describedElement(filter.right);
    return left && right ? { ...left, ...right } : null;
  }
  return null;
}

function extensionObject(
  resource: Record<string, unknown>,
  urn: string,
  create: boolean,
): Record<string, unknown> | null {
  const key = keyOf(resource, urn);
  const existing = resource[key];
  if (isRecord(existing)) return existing;
  if (!create) return null;
  const created: Record<string, unknown> = {};
  resource[key] = created;
  // RFC 7643 §3: `schemas` lists every extension the resource carries.
  const schemas = valuesOf(resource.schemas);
  if (!schemas.some((s) => typeof s === "string" && s.toLowerCase() === urn.toLowerCase()))
    resource.schemas = [...schemas, urn];
  return created;
}

/** The existing key spelled case-insensitively like `name` (RFC 7643 §2.1), else `name` itself. */
function keyOf(object: Record<string, unknown>, name: string): string {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower) ?? name;
}

function setList(container: Record<string, unknown>, key: string, list: unknown[]) {
  if (list.length === 0) delete container[key];
  else container[key] = list;
}

/** Two values of a multi-valued attribute are the same when their `value` and `type` agree, or they are equal. */
function sameValue(a: unknown, b: unknown): boolean {
  if (isRecord(a) && isRecord(b)) {
    const aValue = getAttribute(a, "value");
    const bValue = getAttribute(b, "value");
    if (aValue !== undefined && bValue !== undefined) {
      const bType = getAttribute(b, "type");
      return aValue === bValue && (bType === undefined || getAttribute(a, "type") === bType);
    }
  }
  return isDeepStrictEqual(a, b);
}

/** RFC 7643 §2.4: "primary" is true for at most one value; the newest primary wins. */
function onePrimary(list: unknown[], written: readonly unknown[]): unknown[] {
  const newPrimary = written.find((item) => isRecord(item) && getAttribute(item, "primary") === true);
  if (!newPrimary) return list;
  for (const item of list) {
    if (item !== newPrimary && isRecord(item) && getAttribute(item, "primary") === true)
      item[keyOf(item, "primary")] = false;
  }
  return list;
}

function coerce(attribute: string, value: unknown): unknown {
  if (booleanAttributes.has(attribute.toLowerCase()) && typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  if (isRecord(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = coerce(key, item);
    return copy;
  }
  return value;
}
