import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { FOREIGN_KEY_VIOLATION, hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { isTimeZone } from "@/server/calendar/zoned";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { isFacilitiesManager, requireFacilitiesManager, trimmed, withSavepoint } from "./common";

/** Sites and the spaces in them. Admins manage both; every member reads them. */

export const SPACE_KINDS = ["room", "desk", "equipment"] as const;
export type SpaceKind = (typeof SPACE_KINDS)[number];

const timeZone = z.string().trim().refine(isTimeZone, 'Use an IANA time zone such as "Europe/Berlin"');

export const siteInput = z.object({
  name: trimmed("Name", 200),
  timeZone,
  address: z.string().trim().max(1000, "Use at most 1000 characters").default(""),
});
export type SiteInput = z.input<typeof siteInput>;

export const spaceInput = z.object({
  siteId: z.uuid("Choose a site"),
  kind: z.enum(SPACE_KINDS, "Choose room, desk or equipment"),
  name: trimmed("Name", 200),
  capacity: z.number().int("Use a whole number").min(1, "At least 1").max(100_000).nullish(),
  features: z.array(trimmed("Feature", 100)).max(50, "Use at most 50 features").default([]),
  bookable: z.boolean().default(true),
});
export type SpaceInput = z.input<typeof spaceInput>;

/** No defaults here: a field left out of an update keeps its value. */
export const spaceUpdate = z.object({
  name: trimmed("Name", 200).optional(),
  capacity: z.number().int("Use a whole number").min(1, "At least 1").max(100_000).nullish(),
  features: z.array(trimmed("Feature", 100)).max(50, "Use at most 50 features").optional(),
  bookable: z.boolean().optional(),
});

export type Site = { id: string; name: string; timeZone: string; address: string };
export type Space = {
  id: string;
  siteId: string;
  siteName: string;
  timeZone: string;
  kind: SpaceKind;
  name: string;
  capacity: number | null;
  features: string[];
  bookable: boolean;
  /** Only for owners and admins: the secret of the space's iCalendar feed URL. */
  feedToken: string | null;
};

type SpaceRow = {
  id: string;
  site_id: string;
  site_name: string;
  time_zone: string;
  kind: SpaceKind;
  name: string;
  capacity: string | null;
  features: string[];
  bookable: boolean;
  feed_token: string;
};

const SPACE_COLUMNS = `sp.id::text, sp.site_id::text, si.name AS site_name, si.time_zone, sp.kind, sp.name,
  sp.capacity::text, sp.features, sp.bookable, sp.feed_token`;

const toSpace = (row: SpaceRow, withToken: boolean): Space => ({
  id: row.id,
  siteId: row.site_id,
  siteName: row.site_name,
  timeZone: row.time_zone,
  kind: row.kind,
  name: row.name,
  capacity: row.capacity === null ? null : Number(row.capacity),
  features: row.features,
  bookable: row.bookable,
  feedToken: withToken ? row.feed_token : null,
});

/** 32 random bytes: the feed URL is the only thing guarding a space's calendar. */
export const newFeedToken = () => randomBytes(32).toString("base64url");

async function audit(
  ctx: TenantContext,
  action: string,
  resource: { type: string; id: string; label: string },
  detail: Record<string, string | number | boolean | null> = {},
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource,
    outcome: "succeeded",
    detail,
  });
}

function duplicateName(error: unknown, what: string): never {
  if (hasSqlState(error, UNIQUE_VIOLATION))
    throw new AppError("CONFLICT", `${what} with this name already exists`, { cause: error });
  throw error;
}

export async function createSite(ctx: TenantContext, input: SiteInput): Promise<Site> {
  requireFacilitiesManager(ctx, "manage sites");
  const site = parsed(siteInput, input);
  const [row] = await withSavepoint(ctx.db, () =>
    sqlOf(ctx.db).query<{ id: string }>(
      `INSERT INTO facilities.site (tenant_id, name, time_zone, address) VALUES ($1::uuid, $2, $3, $4) RETURNING id::text`,
      [ctx.tenantId, site.name, site.timeZone, site.address],
    ),
  ).catch((error: unknown) => duplicateName(error, "A site"));
  if (!row) throw new Error("facilities: a site insert returned no row");
  await audit(
    ctx,
    "facilities.site_created",
    { type: "site", id: row.id, label: site.name },
    { timeZone: site.timeZone },
  );
  return { id: row.id, ...site };
}

export async function updateSite(
  ctx: TenantContext,
  siteId: string,
  input: Partial<SiteInput>,
): Promise<Site> {
  requireFacilitiesManager(ctx, "manage sites");
  const current = await getSite(ctx.db, ctx.tenantId, siteId);
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const next = parsed(siteInput, { ...current, ...defined });
  await withSavepoint(ctx.db, () =>
    sqlOf(ctx.db).query(
      `UPDATE facilities.site SET name = $3, time_zone = $4, address = $5 WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [ctx.tenantId, siteId, next.name, next.timeZone, next.address],
    ),
  ).catch((error: unknown) => duplicateName(error, "A site"));
  await audit(ctx, "facilities.site_updated", { type: "site", id: siteId, label: next.name });
  return { id: siteId, ...next };
}

/** Refused while the site has spaces, tickets or visitors: their history must keep its site. */
export async function deleteSite(ctx: TenantContext, siteId: string): Promise<void> {
  requireFacilitiesManager(ctx, "manage sites");
  const site = await getSite(ctx.db, ctx.tenantId, siteId);
  await withSavepoint(ctx.db, () =>
    sqlOf(ctx.db).query(`DELETE FROM facilities.site WHERE tenant_id = $1::uuid AND id = $2::uuid`, [
      ctx.tenantId,
      siteId,
    ]),
  ).catch((error: unknown) => {
    if (hasSqlState(error, FOREIGN_KEY_VIOLATION))
      throw new AppError(
        "CONFLICT",
        `${site.name} still has spaces, tickets or visitors; remove those first`,
        { cause: error },
      );
    throw error;
  });
  await audit(ctx, "facilities.site_deleted", { type: "site", id: siteId, label: site.name });
}

export async function getSite(tx: Tx, tenantId: string, siteId: string): Promise<Site> {
  checkedId(siteId, "Site");
  const [row] = await sqlOf(tx).query<{ id: string; name: string; time_zone: string; address: string }>(
    `SELECT id::text, name, time_zone, address FROM facilities.site WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [tenantId, siteId],
  );
  if (!row) throw notFound("Site not found");
  return { id: row.id, name: row.name, timeZone: row.time_zone, address: row.address };
}

export async function listSites(ctx: TenantContext): Promise<Site[]> {
  const rows = await sqlOf(ctx.db).query<{ id: string; name: string; time_zone: string; address: string }>(
    `SELECT id::text, name, time_zone, address FROM facilities.site WHERE tenant_id = $1::uuid ORDER BY name`,
    [ctx.tenantId],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, timeZone: r.time_zone, address: r.address }));
}

export async function createSpace(ctx: TenantContext, input: SpaceInput): Promise<Space> {
  requireFacilitiesManager(ctx, "manage spaces");
  const space = parsed(spaceInput, input);
  await getSite(ctx.db, ctx.tenantId, space.siteId);
  const [row] = await withSavepoint(ctx.db, () =>
    sqlOf(ctx.db).query<{ id: string }>(
      `INSERT INTO facilities.space (tenant_id, site_id, kind, name, capacity, features, bookable, feed_token)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5::int, $6::text[], $7, $8) RETURNING id::text`,
      [
        ctx.tenantId,
        space.siteId,
        space.kind,
        space.name,
        space.capacity ?? null,
        space.features,
        space.bookable,
        newFeedToken(),
      ],
    ),
  ).catch((error: unknown) => duplicateName(error, "A space at this site"));
  if (!row) throw new Error("facilities: a space insert returned no row");
  await audit(
    ctx,
    "facilities.space_created",
    { type: "space", id: row.id, label: space.name },
    { kind: space.kind },
  );
  return getSpace(ctx.db, ctx.tenantId, row.id, true);
}

export async function updateSpace(
  ctx: TenantContext,
  spaceId: string,
  input: z.input<typeof spaceUpdate>,
): Promise<Space> {
  requireFacilitiesManager(ctx, "manage spaces");
  const current = await getSpace(ctx.db, ctx.tenantId, spaceId, true);
  const change = parsed(spaceUpdate, input);
  const next = {
    name: change.name ?? current.name,
    capacity: change.capacity === undefined ? current.capacity : change.capacity,
    features: change.features ?? current.features,
    bookable: change.bookable ?? current.bookable,
  };
  await withSavepoint(ctx.db, () =>
    sqlOf(ctx.db).query(
      `UPDATE facilities.space SET name = $3, capacity = $4::int, features = $5::text[], bookable = $6
       WHERE tenant_id = $1::uuid AND id = $2::uuid`,
      [ctx.tenantId, spaceId, next.name, next.capacity ?? null, next.features, next.bookable],
    ),
  ).catch((error: unknown) => duplicateName(error, "A space at this site"));
  await audit(
    ctx,
    "facilities.space_updated",
    { type: "space", id: spaceId, label: next.name },
    { bookable: next.bookable },
  );
  return getSpace(ctx.db, ctx.tenantId, spaceId, true);
}

/** Refused once the space has bookings or tickets; make it not bookable instead. */
export async function deleteSpace(ctx: TenantContext, spaceId: string): Promise<void> {
  requireFacilitiesManager(ctx, "manage spaces");
  const space = await getSpace(ctx.db, ctx.tenantId, spaceId, false);
  await withSavepoint(ctx.db, () =>
    sqlOf(ctx.db).query(`DELETE FROM facilities.space WHERE tenant_id = $1::uuid AND id = $2::uuid`, [
      ctx.tenantId,
      spaceId,
    ]),
  ).catch((error: unknown) => {
    if (hasSqlState(error, FOREIGN_KEY_VIOLATION))
      throw new AppError("CONFLICT", `${space.name} has bookings or tickets; make it not bookable instead`, {
        cause: error,
      });
    throw error;
  });
  await audit(ctx, "facilities.space_deleted", { type: "space", id: spaceId, label: space.name });
}

/** A new feed URL secret; the old URL stops working at once. */
export async function rotateFeedToken(ctx: TenantContext, spaceId: string): Promise<Space> {
  requireFacilitiesManager(ctx, "rotate calendar feed links");
  const space = await getSpace(ctx.db, ctx.tenantId, spaceId, false);
  await sqlOf(ctx.db).query(
    `UPDATE facilities.space SET feed_token = $3 WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, spaceId, newFeedToken()],
  );
  // The token itself is a secret and stays out of the audit log.
  await audit(ctx, "facilities.feed_token_rotated", { type: "space", id: spaceId, label: space.name });
  return getSpace(ctx.db, ctx.tenantId, spaceId, true);
}

export async function getSpace(
  tx: Tx,
  tenantId: string,
  spaceId: string,
  withToken: boolean,
): Promise<Space> {
  checkedId(spaceId, "Space");
  const [row] = await sqlOf(tx).query<SpaceRow>(
    `SELECT ${SPACE_COLUMNS} FROM facilities.space sp
       JOIN facilities.site si ON si.tenant_id = sp.tenant_id AND si.id = sp.site_id
      WHERE sp.tenant_id = $1::uuid AND sp.id = $2::uuid`,
    [tenantId, spaceId],
  );
  if (!row) throw notFound("Space not found");
  return toSpace(row, withToken);
}

export async function listSpaces(
  ctx: TenantContext,
  filter: { siteId?: string; kind?: SpaceKind } = {},
): Promise<Space[]> {
  const { siteId, kind } = parsed(
    z.object({ siteId: z.uuid().optional(), kind: z.enum(SPACE_KINDS).optional() }),
    filter,
  );
  const rows = await sqlOf(ctx.db).query<SpaceRow>(
    `SELECT ${SPACE_COLUMNS} FROM facilities.space sp
       JOIN facilities.site si ON si.tenant_id = sp.tenant_id AND si.id = sp.site_id
      WHERE sp.tenant_id = $1::uuid AND ($2::uuid IS NULL OR sp.site_id = $2::uuid) AND ($3::text IS NULL OR sp.kind = $3)
      ORDER BY si.name, sp.kind, sp.name`,
    [ctx.tenantId, siteId ?? null, kind ?? null],
  );
  return rows.map((r) => toSpace(r, isFacilitiesManager(ctx.actor.role)));
}
