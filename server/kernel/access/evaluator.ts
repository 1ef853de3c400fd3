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

type Loaded = {
  version: number;
  policies: ReadonlyMap<string, PolicyInfo>;
  scopes: readonly { id: string; actions: string[] | "all" }[];
  texts: Readonly<Record<string, string>>;
  /** Actions whose set has been prepared for this version. */
  prepared: Set<string>;
};

const summarize = (errors: PolicyError[]) =>
  errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ");

/**
 * Holds each tenant's parsed policy set (its text plus its live grants) for one version, so a
 * decision costs one or two Cedar evaluations and no parsing, over the policies that can apply to
 * the request's action only. A set is replaced only by a higher
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
    const scopes: { id: string; actions: string[] | "all" }[] = [];
    const add = (policy: ValidatedPolicy) => {
      policies.set(policy.id, {
        effect: policy.effect,
        ...(policy.approval ? { approval: policy.approval } : {}),
      });
      scopes.push({ id: policy.id, actions: policy.actions });
    };
    own.policies.forEach(add);
    granted.policies.forEach(add);

    this.tenants.set(tenantId, {
      version: input.version,
      policies,
      scopes,
      texts: { ...own.texts, ...granted.texts },
      prepared: new Set(),
    });
    return "replaced";
  }

  /**
   * The wasm-side set for one action: only the policies whose scope can match it, so an evaluation
   * skips the rest (a tenant with many grants has many policies, each about a few actions). Prepared
   * on first use after each load, under one id per tenant and action (cedar-wasm cannot drop a set,
   * so each version overwrites the last in place).
   */
  private setFor(tenantId: string, loaded: Loaded, action: string): string {
    const setId = `${this.namespace}:${tenantId}:${action}`;
    if (!loaded.prepared.has(action)) {
      const subset = Object.fromEntries(
        loaded.scopes
          .filter((p) => p.actions === "all" || p.actions.includes(action))
          .map((p) => [p.id, loaded.texts[p.id] ?? ""]),
      );
      prepareSet(setId, subset);
      loaded.prepared.add(action);
    }
    return setId;
  }

  version(tenantId: string): number | null {
    return this.tenants.get(tenantId)?.version ?? null;
  }

  /** The decision for one request. `related` supplies users the policies look at (requester, manager). */
  decide(tenantId: string, request: AccessRequest, related: RelatedEntities = {}): AccessDecision {
    const loaded = this.tenants.get(tenantId);
    // Failing closed: without the tenant's policies there is nothing to decide with.
    if (!loaded) throw new AppError("INTERNAL", `No access policies loaded for tenant ${tenantId}`);
    const setId = this.setFor(tenantId, loaded, request.action);
    return decide(
      (approvals) => authorizePrepared(setId, toCedarRequest(tenantId, request, related, approvals)),
      loaded.policies,
      request.principal.type,
      request.context.approvals,
    );
  }
}
