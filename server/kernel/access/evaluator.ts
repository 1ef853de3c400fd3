import { AppError } from "@/server/errors";
import { authorizePrepared, prepareSet } from "./cedar";
import { decide, type AccessDecision, type PolicyInfo } from "./decide";
import { toCedarRequest, type AccessRequest, type RelatedEntities } from "./entities";
import { grantsToPolicyText, type Grant } from "./grants";
import { validatePolicyText, type PolicyError, type ValidatedPolicy } from "./validate";

export type TenantPolicies = {
  /** Increases whenever the tenant's policy text or grants change (including a revocation). */
  version: number;
  policyText: string;
  grants: readonly Grant[];
};

let instances = 0;

type Loaded = { version: number; setId: string; policies: ReadonlyMap<string, PolicyInfo> };

const summarize = (errors: PolicyError[]) =>
  errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ");

/**
 * Holds each tenant's parsed policy set (its text plus its live grants) for one version, so a
 * decision costs one or two Cedar evaluations and no parsing. A set is replaced only by a higher
 * version; a stale writer (lower version) is ignored so a slow reload cannot undo a revocation.
 */
export class AccessEvaluator {
  private readonly tenants = new Map<string, Loaded>();

  /**
   * `namespace` keeps this evaluator's sets apart from others' inside the one wasm module: the live
   * evaluator and a what-if evaluator of draft text must not overwrite each other's tenant sets.
   * Sets cannot be dropped from the module, so long-lived code should create few evaluators.
   */
  constructor(private readonly namespace = `evaluator-${++instances}`) {}

  /**
   * Validates and loads a tenant's policies. Throws (and keeps the previous set) when the text or
   * a grant is invalid. Returns whether the set was replaced, already current, or stale.
   */
  setPolicies(tenantId: string, input: TenantPolicies, now: Date): "replaced" | "unchanged" | "stale" {
    const current = this.tenants.get(tenantId);
    if (current && input.version === current.version) return "unchanged";
    if (current && input.version < current.version) return "stale";

    const own = validatePolicyText(input.policyText, { tenantId });
    if (!own.ok) throw new AppError("BAD_REQUEST", `Invalid policies: ${summarize(own.errors)}`);
    const granted = validatePolicyText(grantsToPolicyText(tenantId, input.grants, now), {
      tenantId,
      allowReservedIds: true,
    });
    if (!granted.ok)
      throw new AppError("INTERNAL", `Generated grant policies are invalid: ${summarize(granted.errors)}`);

    const policies = new Map<string, PolicyInfo>();
    const add = (policy: ValidatedPolicy) =>
      policies.set(policy.id, {
        effect: policy.effect,
        ...(policy.approval ? { approval: policy.approval } : {}),
      });
    own.policies.forEach(add);
    granted.policies.forEach(add);

    // One wasm-side set per tenant: cedar-wasm cannot drop a set, so versions overwrite in place.
    const setId = `${this.namespace}:${tenantId}`;
    prepareSet(setId, { ...own.texts, ...granted.texts });
    this.tenants.set(tenantId, { version: input.version, setId, policies });
    return "replaced";
  }

  version(tenantId: string): number | null {
    return this.tenants.get(tenantId)?.version ?? null;
  }

  /** The decision for one request. `related` supplies users the policies look at (requester, manager). */
  decide(tenantId: string, request: AccessRequest, related: RelatedEntities = {}): AccessDecision {
    const loaded = this.tenants.get(tenantId);
    // Failing closed: without the tenant's policies there is nothing to decide with.
    if (!loaded) throw new AppError("INTERNAL", `No access policies loaded for tenant ${tenantId}`);
    return decide(
      (approvals) => authorizePrepared(loaded.setId, toCedarRequest(tenantId, request, related, approvals)),
      loaded.policies,
      request.principal.type,
      request.context.approvals,
    );
  }
}
