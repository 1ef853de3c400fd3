import { approvalCondition, parseApprover, type Approver } from "./approval";
import { readPolicy, validateText, type CedarError } from "./cedar";
import { GRANT_POLICY_PREFIX, NAMESPACE, TENANT_SCOPED_TYPES } from "./schema";
import { byteOffsetToIndex, positionAt, scanPolicies, type ScannedPolicy } from "./source";

export type ValidatedPolicy = {
  id: string;
  effect: "permit" | "forbid";
  approval?: Approver;
  /** The actions its scope names, or "all" (lets the evaluator consider only what can apply). */
  actions: string[] | "all";
};
export type PolicyError = { message: string; help?: string; line: number; column: number; policyId?: string };
export type PolicyValidation =
  | { ok: true; policies: ValidatedPolicy[]; texts: Record<string, string> }
  | { ok: false; errors: PolicyError[] };

/** Policy ids tenants may write: short, readable, and safe to show and to use as Cedar ids. */
export const POLICY_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,79}$/;
/** Ids the kernel writes itself (grants.ts), which tenant text must not imitate. */
export const RESERVED_ID_PREFIX = GRANT_POLICY_PREFIX;

export type ValidateOptions = {
  /** The tenant the text belongs to: every tenant-scoped entity literal must be `"<tenantId>/…"`. */
  tenantId: string;
  /** Only for text the kernel generates itself (grant policies). */
  allowReservedIds?: boolean;
};

/**
 * Parses and validates policy text (Cedar strict mode against the Tenet schema) plus Tenet's own
 * rules: every policy has a unique @id, @approval only on forbids and naming a known approver, and
 * no entity literal of another tenant. Errors carry 1-based line and column for the editor.
 * On success, `texts` holds each policy's own text keyed by @id, ready for evaluator.ts.
 */
export function validatePolicyText(text: string, options: ValidateOptions): PolicyValidation {
  const at = (index: number, message: string, extra: { help?: string | null; policyId?: string } = {}) => ({
    message,
    ...(extra.help ? { help: extra.help } : {}),
    ...positionAt(text, index),
    ...(extra.policyId ? { policyId: extra.policyId } : {}),
  });
  const fromCedar = (error: CedarError, fallbackIndex: number, policyId?: string) =>
    at(error.start === null ? fallbackIndex : byteOffsetToIndex(text, error.start), error.message, {
      help: error.help,
      policyId,
    });

  const cedar = validateText(text);
  if (cedar.kind === "parse-error") return { ok: false, errors: cedar.errors.map((e) => fromCedar(e, 0)) };

  const scanned = scanPolicies(text);
  const errors: PolicyError[] = [];
  const policies: ValidatedPolicy[] = [];
  const texts: Record<string, string> = {};
  const seen = new Set<string>();

  for (const policy of scanned) {
    const source = text.slice(policy.start, policy.end);
    const parsed = readPolicy(source);
    const idAnnotation = policy.annotations.find((a) => a.name === "id");
    const id = idAnnotation?.value;
    const problems = tenetRules(policy, source, parsed?.effect, options).map((p) =>
      at(p.index, p.message, { policyId: id }),
    );
    errors.push(...problems);
    if (!parsed) {
      errors.push(at(policy.start, "Expected one static policy here (templates are not supported)"));
      continue;
    }
    if (!idAnnotation || id === undefined) {
      errors.push(
        at(policy.start, 'Every policy needs an id: add @id("…") before it', {
          help: 'e.g. @id("managers-approve-time-off")',
        }),
      );
      continue;
    }
    if (seen.has(id))
      errors.push(at(idAnnotation.index, `Another policy already has the id "${id}"`, { policyId: id }));
    seen.add(id);
    const approval = parseApprover(parsed.annotations.approval ?? "");
    policies.push({ id, effect: parsed.effect, ...(approval ? { approval } : {}), actions: parsed.actions });
    texts[id] = source;
  }

  for (const error of cedar.errors) {
    const policy = scanned[error.policyIndex];
    const id = policy?.annotations.find((a) => a.name === "id")?.value;
    // Cedar names policies `policy0`, `policy1`, …; show the author's own id instead.
    const message = id === undefined ? error.message : error.message.replace(/`policy\d+`/g, `"${id}"`);
    errors.push(fromCedar({ ...error, message }, policy?.start ?? 0, id));
  }

  if (errors.length > 0) {
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors };
  }
  return { ok: true, policies, texts };
}

const withoutSpace = (text: string) => text.replace(/\s+/g, "");

function tenetRules(
  policy: ScannedPolicy,
  source: string,
  effect: "permit" | "forbid" | undefined,
  { tenantId, allowReservedIds = false }: ValidateOptions,
): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  for (const annotation of policy.annotations) {
    if (annotation.name === "id") {
      if (!POLICY_ID_PATTERN.test(annotation.value))
        problems.push({
          index: annotation.index,
          message: `Policy ids use lowercase letters, digits, ".", "_" and "-" (at most 80): "${annotation.value}"`,
        });
      else if (annotation.value.startsWith(RESERVED_ID_PREFIX) && !allowReservedIds)
        problems.push({
          index: annotation.index,
          message: `Ids starting with "${RESERVED_ID_PREFIX}" are reserved for grants`,
        });
    }
    if (annotation.name === "approval") {
      const approver = parseApprover(annotation.value);
      if (!approver)
        problems.push({
          index: annotation.index,
          message: `@approval must be "manager" or "role:<role>", not "${annotation.value}"`,
        });
      else if (effect === "permit")
        problems.push({
          index: annotation.index,
          message: "@approval belongs on a forbid (an approval gate), not a permit",
        });
      else if (!withoutSpace(source).includes(withoutSpace(approvalCondition(approver))))
        problems.push({
          index: annotation.index,
          message: `An approval gate for "${approver}" must test ${approvalCondition(approver)} (e.g. in its unless clause), or that approval could never open it`,
        });
    }
  }
  for (const entity of policy.entities) {
    const [namespace, type, ...rest] = entity.path;
    if (namespace !== NAMESPACE || type === undefined || rest.length > 0) continue;
    if (!TENANT_SCOPED_TYPES.includes(type)) continue;
    const local = entity.id.startsWith(`${tenantId}/`) ? entity.id.slice(tenantId.length + 1) : null;
    if (local) continue;
    const owner = /^([^/]+)\/./.exec(entity.id)?.[1];
    problems.push({
      index: entity.index,
      message:
        owner && owner !== tenantId
          ? `${NAMESPACE}::${type}::"${entity.id}" belongs to another tenant; policies may only name this tenant's entities`
          : `${NAMESPACE}::${type} ids are "<tenantId>/<id>" with this tenant's id: "${tenantId}/…"`,
    });
  }
  return problems;
}
