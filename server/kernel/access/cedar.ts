import { setFlagsFromString } from "node:v8";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { Context, DetailedError, EntityJson, EntityUidJson } from "@cedar-policy/cedar-wasm/nodejs";
import { AppError } from "@/server/errors";
import { NAMESPACE, SCHEMA_TEXT } from "./schema";

/**
 * The one place that talks to cedar-wasm. Everything else works with the narrow types below, so a
 * change in the binding's shapes (or a switch to another Cedar engine) touches only this file.
 */
export type { DetailedError, EntityJson };

export type CedarError = { message: string; help: string | null; start: number | null };

/** `actions`: the action ids the policy's scope names, or "all" when its scope does not constrain them. */
export type CedarPolicy = {
  effect: "permit" | "forbid";
  annotations: Record<string, string>;
  actions: string[] | "all";
};

export type CedarValidation =
  | { kind: "parse-error"; errors: CedarError[] }
  | { kind: "checked"; errors: (CedarError & { policyIndex: number })[] };

/** What one evaluation returned: determining policies and policies whose evaluation failed. */
export type CedarOutcome = { decision: "allow" | "deny"; reasons: string[]; errored: string[] };

export type CedarRequest = {
  principal: { type: string; id: string };
  action: string;
  resource: { type: string; id: string };
  context: Context;
  entities: EntityJson[];
};

// Node 20's V8 aborts the process ("Fatal error … unreachable code" in the deoptimizer) when an
// optimized function that inlined a JS-to-Wasm call is lazily deoptimized on return from Cedar, which
// a hot decision path does within seconds (reproduced by scripts/bench-kernel-access.ts). Not
// inlining those calls avoids it, at no measurable cost; it must be set before any code is optimized.
setFlagsFromString("--no-turbo-inline-js-wasm-calls");

const SCHEMA_NAME = "tenet";
let schemaPrepared = false;

function flatten(error: DetailedError): CedarError {
  // Cedar's start offsets are UTF-8 byte offsets into the text it was given.
  const location = error.sourceLocations?.[0];
  return { message: error.message, help: error.help, start: location ? location.start : null };
}

/** Cedar names policies of a text `policy0`, `policy1`, … in the order they appear. */
const policyIndex = (cedarId: string) => Number(/^policy(\d+)$/.exec(cedarId)?.[1] ?? -1);

/** Parses and validates (strict mode) a policy text against the Tenet schema. */
export function validateText(text: string): CedarValidation {
  const answer = cedar.validate({
    schema: SCHEMA_TEXT,
    policies: { staticPolicies: text },
    validationSettings: { mode: "strict" },
  });
  if (answer.type === "failure") return { kind: "parse-error", errors: answer.errors.map(flatten) };
  return {
    kind: "checked",
    errors: answer.validationErrors.map((e) => ({
      ...flatten(e.error),
      policyIndex: policyIndex(e.policyId),
    })),
  };
}

const entityId = (entity: EntityUidJson) => ("__entity" in entity ? entity.__entity.id : entity.id);

/** Effect and annotations of one policy's text, or null when it is not a single static policy. */
export function readPolicy(text: string): CedarPolicy | null {
  const answer = cedar.policyToJson(text);
  if (answer.type === "failure") return null;
  const { action } = answer.json;
  // Tenet declares no action groups, so `action in [A, B]` names exactly A and B. Anything else
  // (a constraint this code does not know) counts as unconstrained: the policy is never left out.
  const actions =
    action.op === "==" && "entity" in action
      ? [entityId(action.entity)]
      : action.op === "in" && "entities" in action
        ? action.entities.map(entityId)
        : action.op === "in" && "entity" in action
          ? [entityId(action.entity)]
          : "all";
  return { effect: answer.json.effect, annotations: answer.json.annotations ?? {}, actions };
}

export function schemaErrors(): string[] {
  const answer = cedar.checkParseSchema(SCHEMA_TEXT);
  return answer.type === "failure" ? answer.errors.map((e) => e.message) : [];
}

function prepareSchema() {
  if (schemaPrepared) return;
  const answer = cedar.preparseSchema(SCHEMA_NAME, SCHEMA_TEXT);
  if (answer.type === "failure") throw new AppError("INTERNAL", `Tenet's Cedar schema does not parse`);
  schemaPrepared = true;
}

/**
 * Parses a policy set once and keeps it inside the wasm module under `setId`. Policies are keyed by
 * their @id, so Cedar's reasons are our ids. Re-using a set id replaces the old set; a failure
 * leaves the previous set in place. cedar-wasm has no way to drop a set, so callers should reuse
 * one set id per tenant rather than one per version.
 */
export function prepareSet(setId: string, policiesById: Record<string, string>): void {
  prepareSchema();
  const answer = cedar.preparsePolicySet(setId, { staticPolicies: policiesById });
  if (answer.type === "failure")
    throw new AppError("INTERNAL", `Policy set ${setId} does not parse: ${answer.errors[0]?.message ?? ""}`);
}

const uid = (type: string, id: string) => ({ type: `${NAMESPACE}::${type}`, id });

/** Evaluates a request against a set prepared with `prepareSet`, validating it against the schema. */
export function authorizePrepared(setId: string, request: CedarRequest): CedarOutcome {
  prepareSchema();
  const answer = cedar.statefulIsAuthorized({
    principal: uid(request.principal.type, request.principal.id),
    action: uid("Action", request.action),
    resource: uid(request.resource.type, request.resource.id),
    context: request.context,
    entities: request.entities,
    preparsedSchemaName: SCHEMA_NAME,
    preparsedPolicySetId: setId,
    validateRequest: true,
  });
  if (answer.type === "failure")
    throw new AppError(
      "BAD_REQUEST",
      `Access request rejected: ${answer.errors.map((e) => e.message).join("; ")}`,
    );
  const { decision, diagnostics } = answer.response;
  return { decision, reasons: diagnostics.reason, errored: diagnostics.errors.map((e) => e.policyId) };
}
