/**
 * Approval delegations end to end: rows made by delegations.ts, honoured (or not) by kernel.call's
 * approval check (principals.ts verifyApprovals) and recorded in the syscall.decided audit entry.
 * Attacker/victim pairs: the same delegated approval counts while the delegation is in force and
 * for the right people, and is refused otherwise.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import { hire } from "@/server/hr/fixtures";
import { DEFAULT_POLICY_PACK } from "@/server/kernel/access/default-pack";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { savePolicies } from "@/server/kernel/access/policies";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import { Kernel, type KernelContext, type Syscall, type SyscallResult } from "@/server/kernel/kernel";
import { createToolRegistry, defineTool } from "@/server/kernel/tools/registry";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import type { TenantContext } from "@/server/tenancy/context";
import type { ApprovalRef } from "./principals";
import {
  activeDelegationsFrom,
  createDelegation,
  listDelegations,
  revokeDelegation,
  type DelegationInput,
} from "./delegations";

const tools = createToolRegistry([
  defineTool({
    action: "facilities.room.book",
    connector: "test-facilities",
    effect: "write",
    input: z.object({ roomId: z.string() }),
    output: z.object({ bookingId: z.string() }),
    timeoutMs: 2_000,
    run: (input) => Promise.resolve({ bookingId: `b-${input.roomId}` }),
  }),
  defineTool({
    action: "hr.employee.offboard",
    connector: "test-hr",
    effect: "destructive",
    input: z.object({ employeeId: z.string() }),
    output: z.object({ offboarded: z.boolean() }),
    timeoutMs: 2_000,
    run: () => Promise.resolve({ offboarded: true }),
  }),
]);

/** The kernel's clock; tests move it to before a delegation starts or after it ends. */
let clock: Date | null = null;
const kernel = new Kernel({
  db: testDb,
  tools,
  evaluator: new AccessEvaluator(),
  now: () => clock ?? new Date(),
  ...kernelDeps(),
});

/** The default pack, with room bookings gated on the booker's manager. */
const MANAGER_GATED_ROOMS = `${DEFAULT_POLICY_PACK}
@id("rooms-need-manager")
@approval("manager")
forbid (principal, action == Tenet::Action::"facilities.room.book", resource)
unless { context.approvals.contains("manager") };
`;

const HOUR = 3600_000;

let acme: TestTenant;
let globex: TestTenant;
/** Staff reports to Maria (HR); Dana, Lee: colleagues; Ada, Alan: admins. */
let maria: TestUser;
let staff: TestUser;
let dana: TestUser;
let lee: TestUser;
let ada: TestUser;
let alan: TestUser;
let globexDelegationId: string;

const bookRoom = (approvals: ApprovalRef[] = []): Syscall => ({
  action: "facilities.room.book",
  resource: { type: "Room", id: "r-1", attrs: {} },
  resourceLabel: "Room r-1",
  input: { roomId: "r-1" },
  approvals,
});
const offboard = (userId: string, approvals: ApprovalRef[]): Syscall => ({
  action: "hr.employee.offboard",
  resource: { type: "Employee", id: userId, attrs: { userId } },
  input: { employeeId: userId },
  approvals,
});
const as = (user: TestUser, tenant = acme): KernelContext => ({
  tenantId: tenant.id,
  principal: { type: "user", userId: user.userId },
});

/** Runs `fn` as `user`, in one tenant-scoped transaction, like a tRPC handler. */
const asMember = <T>(user: TestUser, fn: (ctx: TenantContext) => Promise<T>, tenant = acme) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    fn({
      tenantId: tenant.id,
      actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
      db: tx,
    }),
  );

const delegate = (from: TestUser, input: DelegationInput, tenant = acme) =>
  asMember(from, (ctx) => createDelegation(ctx, input), tenant);

/** A delegation in force for the next day, from `from` to `to`. */
const outOfOffice = (from: TestUser, to: TestUser, hours = 24) =>
  delegate(from, {
    toUserId: to.userId,
    startsAt: new Date(Date.now() - 60_000),
    endsAt: new Date(Date.now() + hours * HOUR),
    reason: "out_of_office",
  });

async function lastDecision(tenant = acme) {
  const rows = await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.auditEntry.findMany({
      where: { tenantId: tenant.id, action: "syscall.decided" },
      orderBy: { seq: "desc" },
      take: 1,
    }),
  );
  const entry = rows[0];
  if (!entry) throw new Error("no syscall.decided entry");
  return entry;
}

function expectRefused(result: SyscallResult, explanation: string) {
  expect(result).toMatchObject({ status: "denied", reasons: ["invalid-approval"], explanation });
}

async function rejected(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

async function rename(tenant: TestTenant, user: TestUser, name: string) {
  await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    tx.user.update({ where: { id: user.userId }, data: { name } }),
  );
}

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  maria = await acme.add("employee");
  staff = await acme.add("employee");
  dana = await acme.add("employee");
  lee = await acme.add("employee");
  ada = await acme.add("admin");
  alan = await acme.add("admin");
  for (const [user, name] of [
    [maria, "Maria"],
    [staff, "Sam"],
    [dana, "Dana"],
    [lee, "Lee"],
    [ada, "Ada"],
    [alan, "Alan"],
  ] as const)
    await rename(acme, user, name);
  const manager = await hire(acme, { email: maria.email });
  await hire(acme, { email: staff.email, managerId: manager.id });
  const version = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
    tx.policyVersion.findFirstOrThrow({ where: { tenantId: acme.id }, orderBy: { version: "desc" } }),
  );
  await acme.asOwner((ctx) =>
    savePolicies(ctx, {
      text: MANAGER_GATED_ROOMS,
      summary: "Rooms need the manager",
      baseVersion: version.version,
    }),
  );
  const globexMember = await globex.add("employee");
  globexDelegationId = (
    await asMember(
      globex.owner,
      (ctx) =>
        createDelegation(ctx, {
          toUserId: globexMember.userId,
          endsAt: new Date(Date.now() + 24 * HOUR),
          reason: "out_of_office",
        }),
      globex,
    )
  ).id;
});

describe("a delegated approval in kernel.call", () => {
  it("the manager's delegate satisfies a manager gate while the delegation is in force", async () => {
    expect(await kernel.call(as(staff), bookRoom())).toMatchObject({
      status: "approval_required",
      approvers: ["manager"],
    });
    // Dana is not Sam's manager: her own approval counts for nothing.
    expectRefused(
      await kernel.call(as(staff), bookRoom([{ approver: "manager", userId: dana.userId }])),
      "Dana is not known to manage the person asking.",
    );

    const delegation = await outOfOffice(maria, dana);
    const result = await kernel.call(
      as(staff),
      bookRoom([{ approver: "manager", userId: dana.userId, delegationId: delegation.id }]),
    );
    expect(result).toMatchObject({ status: "succeeded", output: { bookingId: "b-r-1" } });

    const entry = await lastDecision();
    expect(entry).toMatchObject({ outcome: "allowed", reasons: ["book-spaces"] });
    expect(entry.detail).toMatchObject({
      syscallId: result.syscallId,
      approvals: [
        {
          approver: "manager",
          userId: dana.userId,
          label: "Dana",
          delegationId: delegation.id,
          delegator: { userId: maria.userId, label: "Maria" },
        },
      ],
    });
    expect(describeAuditEntry({ ...entry, detail: entry.detail })).toBe(
      "Sam asked to book a room: Room r-1: allowed, approved by Dana (for Maria) under policy book-spaces",
    );

    // Victim control: Maria's own approval still counts, and is recorded without a delegation.
    expect(
      await kernel.call(as(staff), bookRoom([{ approver: "manager", userId: maria.userId }])),
    ).toMatchObject({ status: "succeeded" });
    expect((await lastDecision()).detail).toMatchObject({
      approvals: [{ approver: "manager", userId: maria.userId, label: "Maria" }],
    });
    await asMember(maria, (ctx) => revokeDelegation(ctx, { delegationId: delegation.id }));
  });

  it("is refused before the delegation starts and once it has ended", async () => {
    const delegation = await outOfOffice(maria, lee, 2);
    const approval = { approver: "manager" as const, userId: lee.userId, delegationId: delegation.id };
    try {
      clock = new Date(delegation.startsAt.getTime() - HOUR);
      expectRefused(
        await kernel.call(as(staff), bookRoom([approval])),
        "Lee's delegation from Maria is not active now.",
      );
      clock = new Date(delegation.startsAt.getTime() + HOUR);
      expect(await kernel.call(as(staff), bookRoom([approval]))).toMatchObject({ status: "succeeded" });
      // The end is exclusive.
      clock = delegation.endsAt;
      expectRefused(
        await kernel.call(as(staff), bookRoom([approval])),
        "Lee's delegation from Maria is not active now.",
      );
    } finally {
      clock = null;
    }
    await asMember(maria, (ctx) => revokeDelegation(ctx, { delegationId: delegation.id }));
  });

  it("is refused once revoked", async () => {
    const delegation = await outOfOffice(maria, ada);
    const approval = { approver: "manager" as const, userId: ada.userId, delegationId: delegation.id };
    expect(await kernel.call(as(staff), bookRoom([approval]))).toMatchObject({ status: "succeeded" });
    await asMember(maria, (ctx) => revokeDelegation(ctx, { delegationId: delegation.id }));
    expectRefused(
      await kernel.call(as(staff), bookRoom([approval])),
      "Ada's delegation from Maria was revoked.",
    );
  });

  it("is refused from someone the delegation does not name, or under another tenant's delegation", async () => {
    const delegation = await outOfOffice(alan, dana);
    const toDana = await asMember(ada, (ctx) =>
      createDelegation(ctx, {
        fromUserId: maria.userId,
        toUserId: dana.userId,
        reason: "reassigned",
        taskId: "6f1c1f9e-55f4-4b43-9a43-5b7f1c3f0a11",
      }),
    );
    expectRefused(
      await kernel.call(
        as(staff),
        bookRoom([{ approver: "manager", userId: lee.userId, delegationId: toDana.id }]),
      ),
      "Lee approved under a delegation to someone else.",
    );
    // Alan is not Sam's manager, so his delegate cannot approve as one.
    expectRefused(
      await kernel.call(
        as(staff),
        bookRoom([{ approver: "manager", userId: dana.userId, delegationId: delegation.id }]),
      ),
      "Dana (for Alan) is not known to manage the person asking.",
    );
    expectRefused(
      await kernel.call(
        as(staff),
        bookRoom([{ approver: "manager", userId: dana.userId, delegationId: globexDelegationId }]),
      ),
      "Dana approved under a delegation this tenant does not have.",
    );
    const entry = await lastDecision();
    expect(entry.detail).toMatchObject({
      approvals: [{ userId: dana.userId, delegationId: globexDelegationId, delegator: null }],
    });
    // Victim control: the task's reassignment to Dana works for her.
    expect(
      await kernel.call(
        as(staff),
        bookRoom([{ approver: "manager", userId: dana.userId, delegationId: toDana.id }]),
      ),
    ).toMatchObject({ status: "succeeded" });
  });

  it("the person asking cannot approve as their manager's delegate, nor through their own delegate", async () => {
    const toStaff = await asMember(ada, (ctx) =>
      createDelegation(ctx, {
        fromUserId: maria.userId,
        toUserId: staff.userId,
        reason: "escalated",
        taskId: "0b9d7c4e-3f7a-4d59-8f55-9d1f3f6a2c10",
      }),
    );
    expectRefused(
      await kernel.call(
        as(staff),
        bookRoom([{ approver: "manager", userId: staff.userId, delegationId: toStaff.id }]),
      ),
      "Sam cannot approve their own request.",
    );
    // Ada (admin) lets Lee approve for her; Lee cannot then approve Ada's own offboarding as her.
    const adaToLee = await outOfOffice(ada, lee);
    expectRefused(
      await kernel.call(
        as(ada),
        offboard(staff.userId, [{ approver: "role:admin", userId: lee.userId, delegationId: adaToLee.id }]),
      ),
      "Lee cannot approve for Ada: it is Ada's own request.",
    );
  });

  it("a delegate of a role holder approves in that role; of someone without it, not", async () => {
    expect(await kernel.call(as(ada), offboard(staff.userId, []))).toMatchObject({
      status: "approval_required",
      approvers: ["role:admin"],
    });
    const fromAlan = await asMember(ada, (ctx) =>
      createDelegation(ctx, {
        fromUserId: alan.userId,
        toUserId: maria.userId,
        reason: "reassigned",
        taskId: "7d3e1b2a-1c4f-4e8d-9a6b-2f5c8e9d0a13",
      }),
    );
    expect(
      await kernel.call(
        as(ada),
        offboard(staff.userId, [{ approver: "role:admin", userId: maria.userId, delegationId: fromAlan.id }]),
      ),
    ).toMatchObject({ status: "succeeded", output: { offboarded: true } });
    expect(describeAuditEntry({ ...(await lastDecision()), detail: (await lastDecision()).detail })).toBe(
      "Ada asked to offboard an employee: allowed, approved by Maria (for Alan) under policies admin-manages-employees, people-changes-with-approval",
    );

    const fromLee = await delegate(lee, {
      toUserId: maria.userId,
      endsAt: new Date(Date.now() + HOUR),
      reason: "out_of_office",
    });
    expectRefused(
      await kernel.call(
        as(ada),
        offboard(staff.userId, [{ approver: "role:admin", userId: maria.userId, delegationId: fromLee.id }]),
      ),
      "Maria (for Lee) cannot approve as admin: they are employee.",
    );
  });
});

describe("createDelegation and friends", () => {
  it("refuses a delegation to yourself, to a non-member, or without an end when out of office", async () => {
    const until = new Date(Date.now() + HOUR);
    expect(
      await rejected(delegate(lee, { toUserId: lee.userId, endsAt: until, reason: "out_of_office" })),
    ).toMatchObject({ code: "BAD_REQUEST", fields: { toUserId: [expect.any(String)] } });
    expect(
      await rejected(
        delegate(lee, { toUserId: globex.owner.userId, endsAt: until, reason: "out_of_office" }),
      ),
    ).toMatchObject({ code: "NOT_FOUND", message: "The delegate is not an active member of this tenant" });
    expect(await rejected(delegate(lee, { toUserId: dana.userId, reason: "out_of_office" }))).toMatchObject({
      code: "BAD_REQUEST",
      fields: { endsAt: [expect.stringContaining("needs an end")] },
    });
    expect(
      await rejected(delegate(lee, { toUserId: dana.userId, reason: "reassigned", endsAt: until })),
    ).toMatchObject({ code: "BAD_REQUEST", fields: { taskId: [expect.any(String)] } });
    expect(
      await rejected(delegate(lee, { toUserId: "not-a-uuid", endsAt: until, reason: "out_of_office" })),
    ).toMatchObject({ code: "BAD_REQUEST" });
    // Only admins delegate someone else's approvals.
    expect(
      await rejected(
        delegate(lee, {
          fromUserId: maria.userId,
          toUserId: dana.userId,
          endsAt: until,
          reason: "out_of_office",
        }),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses overlapping out-of-office delegations from one person, and allows them once revoked", async () => {
    const person = await acme.add("approver");
    await rename(acme, person, "Pat");
    const day = 24 * HOUR;
    const start = new Date(Date.now() + 10 * day);
    const first = await delegate(person, {
      toUserId: dana.userId,
      startsAt: start,
      endsAt: new Date(start.getTime() + 5 * day),
      reason: "out_of_office",
      note: "Skiing",
    });
    expect(first).toMatchObject({
      state: "scheduled",
      from: { name: "Pat" },
      to: { name: "Dana" },
      note: "Skiing",
    });
    const overlapping = await rejected(
      delegate(person, {
        toUserId: lee.userId,
        startsAt: new Date(start.getTime() + 4 * day),
        endsAt: new Date(start.getTime() + 8 * day),
        reason: "out_of_office",
      }),
    );
    expect(overlapping.code).toBe("CONFLICT");
    expect(overlapping.message).toMatch(/^Pat is already out of office from .* \(delegated to Dana\)/);
    // Back to back is not an overlap.
    const next = await delegate(person, {
      toUserId: lee.userId,
      startsAt: new Date(start.getTime() + 5 * day),
      endsAt: new Date(start.getTime() + 8 * day),
      reason: "out_of_office",
    });
    await asMember(person, (ctx) => revokeDelegation(ctx, { delegationId: first.id }));
    await delegate(person, {
      toUserId: lee.userId,
      startsAt: start,
      endsAt: new Date(start.getTime() + day),
      reason: "out_of_office",
    });

    // Audited, with sentences.
    const entries = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      tx.auditEntry.findMany({
        where: {
          tenantId: acme.id,
          action: { in: ["delegation.created", "delegation.revoked"] },
          resourceId: first.id,
        },
        orderBy: { seq: "asc" },
      }),
    );
    expect(entries.map((e) => describeAuditEntry({ ...e, detail: e.detail }))).toEqual([
      expect.stringMatching(
        /^Pat let Dana approve in their place \(out of office\) from \S+ \S+ UTC until \S+ \S+ UTC$/,
      ),
      "Pat revoked Dana's delegation to approve for Pat",
    ]);
    expect(next.state).toBe("scheduled");
  });

  it("revoking: only the delegator, its creator or an admin; twice is a conflict; another tenant's is not found", async () => {
    const ray = await acme.add("employee");
    const delegation = await outOfOffice(ray, dana);
    expect(
      await rejected(asMember(dana, (ctx) => revokeDelegation(ctx, { delegationId: delegation.id }))),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(
      await rejected(asMember(ada, (ctx) => revokeDelegation(ctx, { delegationId: globexDelegationId }))),
    ).toMatchObject({ code: "NOT_FOUND" });
    const revoked = await asMember(ada, (ctx) => revokeDelegation(ctx, { delegationId: delegation.id }));
    expect(revoked).toMatchObject({ state: "revoked", revokedBy: "Ada" });
    expect(
      await rejected(asMember(ray, (ctx) => revokeDelegation(ctx, { delegationId: delegation.id }))),
    ).toMatchObject({ code: "CONFLICT" });
  });

  it("lists a member's own delegations; admins list anyone's", async () => {
    const mine = await asMember(dana, (ctx) => listDelegations(ctx));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((d) => d.from.id === dana.userId || d.to.id === dana.userId)).toBe(true);
    expect(
      await rejected(asMember(dana, (ctx) => listDelegations(ctx, { userId: lee.userId }))),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    const lees = await asMember(ada, (ctx) => listDelegations(ctx, { userId: lee.userId }));
    expect(lees.every((d) => d.from.id === lee.userId || d.to.id === lee.userId)).toBe(true);
    const all = await asMember(ada, (ctx) => listDelegations(ctx, { all: true }));
    expect(all.length).toBeGreaterThan(lees.length);
    // Nothing of another tenant.
    expect(all.some((d) => d.id === globexDelegationId)).toBe(false);
  });

  it("activeDelegationsFrom names each person's stand-in now, a task's own delegation first", async () => {
    const boss = await acme.add("approver");
    const general = await outOfOffice(boss, lee);
    const taskId = "2c9b6a1e-8d4f-4b3a-9e7c-1a2b3c4d5e6f";
    const forTask = await asMember(ada, (ctx) =>
      createDelegation(ctx, { fromUserId: boss.userId, toUserId: dana.userId, reason: "escalated", taskId }),
    );
    const now = new Date();
    const [plain, task, later] = await withTenant(testDb(), { tenantId: acme.id }, async (tx) => [
      await activeDelegationsFrom(tx, acme.id, [boss.userId, staff.userId], now),
      await activeDelegationsFrom(tx, acme.id, [boss.userId], now, { taskId }),
      await activeDelegationsFrom(tx, acme.id, [boss.userId], new Date(Date.now() + 48 * HOUR)),
    ]);
    expect(plain.get(boss.userId)).toMatchObject({ id: general.id, toUserId: lee.userId, toName: "Lee" });
    expect(plain.has(staff.userId)).toBe(false);
    expect(task.get(boss.userId)).toMatchObject({ id: forTask.id, toUserId: dana.userId, taskId });
    expect(later.size).toBe(0);
  });
});
