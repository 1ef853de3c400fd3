/** Evaluation of a parsed SCIM filter (filter.ts) over a resource, RFC 7644 §3.4.2.2. */
import type { AttrPath, CompareOp, FilterNode, FilterValue } from "./filter";
import { schemaUrns } from "./schema";

/** Core schemas whose URN prefix names the resource itself rather than an extension object. */
const coreSchemas = new Set([schemaUrns.user.toLowerCase(), schemaUrns.group.toLowerCase()]);

/**
 * String attributes whose comparisons are case-exact. RFC 7643 §2.2 makes caseExact default to false;
 * the core schema (§8.7.1) marks these true. userName and emails.value stay case-insensitive.
 */
const defaultCaseExact = new Set([
  "id",
  "externalid",
  "meta.version",
  "meta.location",
  "meta.resourcetype",
  "$ref",
]);

export interface EvaluateOptions {
  /** Whether `path` (lowercase, "attr" or "attr.sub") compares case-exactly; defaults to the core schema's rules. */
  readonly caseExact?: (path: string) => boolean;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A single or multi-valued attribute's values as a list; absent is empty. */
export function valuesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    const list: unknown[] = value;
    return list;
  }
  return value === undefined ? [] : [value];
}

/** Reads a key case-insensitively (RFC 7643 §2.1: attribute names are case-insensitive). */
export function getAttribute(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** The object an attribute path is read from: the resource, or its extension object for an extension URN. */
export function schemaContainer(
  resource: Record<string, unknown>,
  schema: string | null,
): Record<string, unknown> | null {
  if (schema === null || coreSchemas.has(schema.toLowerCase())) return resource;
  const extension = getAttribute(resource, schema);
  return isRecord(extension) ? extension : null;
}

/** Every value the path denotes, multi-valued attributes flattened. */
function resolve(scope: Record<string, unknown>, path: AttrPath): unknown[] {
  const container = schemaContainer(scope, path.schema);
  if (!container) return [];
  const top = getAttribute(container, path.attribute);
  const tops = valuesOf(top);
  if (path.subAttribute === null) return tops;
  const sub = path.subAttribute;
  return tops.flatMap((value) => {
    if (!isRecord(value)) return [];
    return valuesOf(getAttribute(value, sub));
  });
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function compareOne(actual: unknown, op: CompareOp, expected: FilterValue, caseExact: boolean): boolean {
  // A complex value without a sub-attribute is compared by its "value" (RFC 7643 §2.4's primary datum).
  const value = isRecord(actual) ? getAttribute(actual, "value") : actual;
  if (expected === null)
    return op === "eq"
      ? value === null || value === undefined
      : op === "ne" && value !== null && value !== undefined;
  if (typeof expected === "boolean") {
    return (
      typeof value === "boolean" && (op === "eq" ? value === expected : op === "ne" && value !== expected)
    );
  }
  if (typeof expected === "number") {
    if (typeof value !== "number") return op === "ne";
    return ordered(op, value === expected ? 0 : value < expected ? -1 : 1);
  }
  if (typeof value !== "string") return op === "ne";
  // RFC 7644 §3.4.2.2: dateTime attributes compare chronologically.
  if (isoDateTime.test(value) && isoDateTime.test(expected) && op !== "co" && op !== "sw" && op !== "ew") {
    const a = Date.parse(value);
    const b = Date.parse(expected);
    return ordered(op, a === b ? 0 : a < b ? -1 : 1);
  }
  const left = caseExact ? value : value.toLowerCase();
  const right = caseExact ? expected : expected.toLowerCase();
  switch (op) {
    case "co":
      return left.includes(right);
    case "sw":
      return left.startsWith(right);
    case "ew":
      return left.endsWith(right);
    default:
      return ordered(op, left === right ? 0 : left < right ? -1 : 1);
  }
}

function ordered(op: CompareOp, order: number): boolean {
  switch (op) {
    case "eq":
      return order === 0;
    case "ne":
      return order !== 0;
    case "gt":
      return order > 0;
    case "ge":
      return order >= 0;
    case "lt":
      return order < 0;
    case "le":
      return order <= 0;
    default:
      return false;
  }
}

/** RFC 7644 §3.4.2.2 "pr": a non-empty value, or a complex value with a non-empty node. */
function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isRecord(value)) return Object.values(value).some(isPresent);
  return true;
}

function pathKey(path: AttrPath, prefix: string | null): string {
  const own = path.subAttribute === null ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  return (prefix === null ? own : `${prefix}.${own}`).toLowerCase();
}

function evaluateIn(
  node: FilterNode,
  scope: Record<string, unknown>,
  prefix: string | null,
  options: EvaluateOptions,
): boolean {
  switch (node.kind) {
    case "and":
      return evaluateIn(node.left, scope, prefix, options) && evaluateIn(node.right, scope, prefix, options);
    case "or":
      return evaluateIn(node.left, scope, prefix, options) || evaluateIn(node.right, scope, prefix, options);
    case "not":
      return !evaluateIn(node.filter, scope, prefix, options);
    case "present":
      return resolve(scope, node.path).some(isPresent);
    case "valuePath": {
      const container = schemaContainer(scope, node.path.schema);
      const attribute = container ? getAttribute(container, node.path.attribute) : undefined;
      const values = valuesOf(attribute);
      const inner = pathKey(node.path, prefix);
      return values.some((value) => isRecord(value) && evaluateIn(node.filter, value, inner, options));
    }
    case "compare": {
      const key = pathKey(node.path, prefix);
      const caseExact = options.caseExact
        ? options.caseExact(key)
        : defaultCaseExact.has(key) || key.endsWith(".$ref");
      const values = resolve(scope, node.path);
      // "ne" holds when no value equals; every other operator when some value matches (RFC 7644 §3.4.2.2
      // on multi-valued attributes: a match on any value is a match).
      if (node.op === "ne")
        return (
          !values.some((value) => compareOne(value, "eq", node.value, caseExact)) &&
          (node.value !== null || values.some(isPresent))
        );
      return node.value === null && node.op === "eq"
        ? !values.some(isPresent)
        : values.some((value) => compareOne(value, node.op, node.value, caseExact));
    }
  }
}

/** Whether `resource` matches the filter. */
export function evaluateFilter(
  node: FilterNode,
  resource: Record<string, unknown>,
  options: EvaluateOptions = {},
): boolean {
  return evaluateIn(node, resource, null, options);
}

/** Whether one element of a multi-valued attribute matches a value filter (`emails[type eq "work"]`). */
export function matchesValueFilter(
  node: FilterNode,
  element: unknown,
  attributePath: string,
  options: EvaluateOptions = {},
): boolean {
  return isRecord(element) && evaluateIn(node, element, attributePath, options);
}
