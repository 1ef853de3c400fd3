import { Cron } from "croner";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The unit names of the `ms` package, which the SDK runs users' strings through (year = 365.25 days, as there). */
const UNITS = new Map<string, number>(
  Object.entries({
    "ms msec msecs millisecond milliseconds": 1,
    "s sec secs second seconds": SECOND,
    "m min mins minute minutes": MINUTE,
    "h hr hrs hour hours": HOUR,
    "d day days": DAY,
    "w week weeks": 7 * DAY,
    "y yr yrs year years": 365.25 * DAY,
  }).flatMap(([names, ms]) => names.split(" ").map((name): [string, number] => [name, ms])),
);

const DURATION_PART = /\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)/iy;

/**
 * Milliseconds for a time string: the SDK's compound form ("1w2d3h4m5s", from `timeStr`) or what users
 * write for the `ms` package ("500ms", "2 days", "1.5h", and a bare number meaning milliseconds).
 * Null when unparseable or negative.
 */
export function parseDuration(text: string): number | null {
  const source = text.trim();
  let total = 0;
  let parts = 0;
  let unitless = false;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < source.length) {
    const part = DURATION_PART.exec(source);
    if (!part) return null;
    const [, amount = "", unit = ""] = part;
    const scale = unit === "" ? 1 : UNITS.get(unit.toLowerCase());
    if (scale === undefined) return null;
    unitless ||= unit === "";
    total += Number(amount) * scale;
    parts += 1;
  }
  // A number without a unit is only unambiguous alone ("500"); in "1h30" it is a typo.
  if (parts === 0 || (unitless && parts > 1)) return null;
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** An instant with an explicit offset, as the SDK writes them (`Date#toISOString`, `Temporal.Instant`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseInstant(text: string): Date | null {
  if (!ISO_INSTANT.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : new Date(at);
}

/**
 * When a Sleep op ends. The SDK puts the target in the op's `name`: a time string for `step.sleep`
 * (relative to now) or an ISO instant for `step.sleepUntil`. Note `step.sleep(id, 0)` sends "", which
 * is neither.
 */
export function sleepUntil(name: string, now: Date): Date | null {
  const ms = parseDuration(name);
  if (ms !== null) return new Date(now.getTime() + ms);
  return parseInstant(name.trim());
}

export type CronSchedule = { expression: string; timezone: string };

/** robfig/cron's way (which Inngest's server uses) of giving a schedule its zone: "TZ=Europe/Paris 0 9 * * *". */
const ZONE_PREFIX = /^(?:CRON_TZ|TZ)=(\S*)\s+/;

/** A moment every schedule is compared from, to find the ones that can never fire ("0 0 30 2 *"). */
const REFERENCE = new Date("2000-01-01T00:00:00Z");

/**
 * A cron trigger as the SDK sends it (verbatim): five fields, or six with seconds first, or a nickname
 * such as "@daily"; optionally prefixed by `TZ=<zone>` or `CRON_TZ=<zone>`. The zone defaults to UTC.
 * Throws when the expression or the zone is invalid.
 */
export function parseCron(spec: string): CronSchedule {
  const invalid = (problem: string) => new Error(`Invalid cron schedule ${JSON.stringify(spec)}: ${problem}`);
  const text = spec.trim();
  const prefix = ZONE_PREFIX.exec(text);
  const timezone = prefix?.[1] ?? "UTC";
  const expression = prefix ? text.slice(prefix[0].length).trim() : text;
  if (!isTimeZone(timezone)) throw invalid(`unknown time zone "${timezone}"`);
  // Croner would read a string with ":" as a one-off date rather than a pattern.
  if (expression.includes(":")) throw invalid("not a cron expression");
  let cron: Cron;
  try {
    cron = schedule({ expression, timezone });
  } catch (error) {
    throw invalid(error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error));
  }
  if (cron.nextRun(REFERENCE) === null) throw invalid("it never fires");
  return { expression, timezone };
}

/** The first time the schedule fires strictly after `after`, in its zone (croner handles DST). */
export function nextCronTime(spec: string, after: Date): Date {
  const next = schedule(parseCron(spec)).nextRun(after);
  if (next === null) {
    throw new Error(`Cron schedule ${JSON.stringify(spec)} never fires after ${after.toISOString()}`);
  }
  return next;
}

function schedule({ expression, timezone }: CronSchedule): Cron {
  // No callback, so nothing is scheduled: the object only computes times. Seven fields (years) are
  // refused; a day-of-month and a day-of-week both set mean either (croner's default, as in Vixie cron).
  return new Cron(expression, { timezone, mode: "5-or-6-parts" });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone !== "";
  } catch {
    return false;
  }
}

const MAX_RETRY_DELAY = 10 * MINUTE;

/**
 * Backoff before retry `attempt` (0 = the first retry): base·2^attempt capped at 10 minutes, then
 * jittered to 50–100 % of that so that runs failing together do not retry together.
 */
export function retryDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(Math.max(0, baseMs) * 2 ** Math.max(0, attempt), MAX_RETRY_DELAY);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

/** An HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT", RFC 9110 §5.6.7). */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * The SDK's `retry-after` header (docs/engine-protocol.md §3.2): whole seconds from now, or an
 * ISO 8601 or HTTP date. Null when it is none of these.
 */
export function parseRetryAfter(value: string, now: Date): Date | null {
  const text = value.trim();
  // Negative seconds come from a RetryAfterError given a negative delay: "retry now".
  if (/^-?\d+$/.test(text)) return new Date(now.getTime() + Number(text) * SECOND);
  if (HTTP_DATE.test(text)) {
    const at = Date.parse(text);
    return Number.isNaN(at) ? null : new Date(at);
  }
  return parseInstant(text);
}
