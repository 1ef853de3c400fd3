import {
  CelScalar,
  celEnv,
  celFunc,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  parse,
  plan,
  type CelInput,
  type CelValue,
} from "@bufbuild/cel";

/**
 * Inngest's expressions — trigger `if`, `cancelOn[].if`, `waitForEvent` `if`, flow-control keys,
 * `idempotency`, `priority.run` — are CEL over two JSON values: `event` and `async`
 * (docs/engine-protocol.md §5.4).
 */
export type ExpressionVariables = { event?: unknown; async?: unknown };

export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
  readonly expression: string;
  readonly problem: string;

  constructor(expression: string, problem: string) {
    super(`Invalid expression ${JSON.stringify(expression)}: ${problem}`);
    this.expression = expression;
    this.problem = problem;
  }
}

const VARIABLES = ["event", "async"] as const;

const env = celEnv({
  variables: { event: CelScalar.DYN, async: CelScalar.DYN },
  // Inngest's server adds these to CEL's standard library (inngest/inngest pkg/expressions/overloads.go).
  funcs: [
    celFunc("lowercase", [CelScalar.STRING], CelScalar.STRING, (text) => text.toLowerCase()),
    celFunc("uppercase", [CelScalar.STRING], CelScalar.STRING, (text) => text.toUpperCase()),
  ],
});

function planExpression(source: string) {
  const parsed = parse(source);
  const problem = undeclaredName(parsed.expr, new Set(VARIABLES));
  if (problem !== null) throw new ExpressionError(source, problem);
  return plan(env, parsed);
}

type Program = ReturnType<typeof planExpression>;
type Compiled = { program: Program } | { error: ExpressionError };

/** Expressions run on every event; each distinct source is compiled once, and the oldest is dropped past the cap. */
const CACHE_LIMIT = 1000;
const cache = new Map<string, Compiled>();

function compile(source: string): Compiled {
  const cached = cache.get(source);
  if (cached) return cached;
  let compiled: Compiled;
  try {
    compiled = { program: planExpression(source) };
  } catch (error) {
    compiled = {
      error: error instanceof ExpressionError ? error : new ExpressionError(source, syntaxProblem(error)),
    };
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, compiled);
  return compiled;
}

/** Null when `source` is a valid expression over `event` and `async`, else why it is not. For sync time. */
export function checkExpression(source: string): string | null {
  if (source.trim() === "") return new ExpressionError(source, "the expression is empty").message;
  const compiled = compile(source);
  return "error" in compiled ? compiled.error.message : null;
}

/** True when there is no expression or it evaluates to `true`; an error (a missing field, say) is no match. */
export function matches(source: string | null | undefined, vars: ExpressionVariables): boolean {
  if (source == null || source.trim() === "") return true;
  return evaluate(source, vars) === true;
}

/**
 * A concurrency or idempotency key: strings as they are, other values as JSON (map keys sorted, so
 * equal data gives equal keys; whole doubles print without ".0"). Null when evaluation fails or the
 * value has no JSON form (bytes, timestamps, types).
 */
export function evaluateKey(source: string, vars: ExpressionVariables): string | null {
  const value = evaluate(source, vars);
  if (value === undefined) return null;
  return typeof value === "string" ? value : (toJsonText(value) ?? null);
}

/** `priority.run`: any CEL number as a JS number; null when evaluation fails or the value is not a number. */
export function evaluateNumber(source: string, vars: ExpressionVariables): number | null {
  const value = evaluate(source, vars);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (isCelUint(value)) return Number(value.value);
  return null;
}

/** The value, or undefined when the expression does not compile or evaluation fails. */
function evaluate(source: string, vars: ExpressionVariables): CelValue | undefined {
  const compiled = compile(source);
  if ("error" in compiled) return undefined;
  try {
    const result = compiled.program({ event: toCelInput(vars.event), async: toCelInput(vars.async) });
    return isCelError(result) ? undefined : result;
  } catch {
    // The evaluator reports errors as values, but throws on input it cannot represent.
    return undefined;
  }
}

/**
 * JSON into CEL. Objects become Maps rather than being passed as is, because the library reads a
 * plain object with a `$typeName` key as a protobuf message and rejects objects without a prototype.
 */
function toCelInput(value: unknown): CelInput {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return value;
    case "object":
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(toCelInput);
      return new Map(
        Object.entries(value)
          .filter(([, field]: [string, unknown]) => field !== undefined)
          .map(([key, field]: [string, unknown]): [string, CelInput] => [key, toCelInput(field)]),
      );
    default:
      return null;
  }
}

function toJsonText(value: CelValue): string | undefined {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "bigint") return value.toString();
  if (isCelUint(value)) return value.value.toString();
  if (isCelList(value)) {
    const items = [...value].map(toJsonText);
    return items.every((item) => item !== undefined) ? `[${items.join(",")}]` : undefined;
  }
  if (isCelMap(value)) {
    const entries = [...value.entries()]
      .map(([key, item]): [string, string | undefined] => [
        String(isCelUint(key) ? key.value : key),
        toJsonText(item),
      ])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (!entries.every(([, item]) => item !== undefined)) return undefined;
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${item}`).join(",")}}`;
  }
  return undefined;
}

type Expr = ReturnType<typeof parse>["expr"];

/** Calls the evaluator handles itself rather than through its function table. */
const SPECIAL_FORMS = new Set(
  "_&&_ _||_ _?_:_ _[_] _[?_] _?._ @not_strictly_false __not_strictly_false__".split(" "),
);
/** Type names are values in CEL (`type(x) == int`). */
const TYPE_NAMES = new Set("bool bytes double int list map null_type string type uint".split(" "));

/**
 * The library has no public type checker, so this stands in for the part of one that catches typos:
 * every name must be a variable (or a macro's loop variable) and every function must exist. Without
 * it, `evnt.data.x == 1` or `size2(x)` would be accepted at sync and then never match.
 */
function undeclaredName(expr: Expr | undefined, names: ReadonlySet<string>): string | null {
  if (expr === undefined) return null;
  const within = (exprs: (Expr | undefined)[], scope = names) => {
    for (const inner of exprs) {
      const problem = undeclaredName(inner, scope);
      if (problem !== null) return problem;
    }
    return null;
  };
  const node = expr.exprKind;
  switch (node.case) {
    case "identExpr": {
      const name = node.value.name;
      if (names.has(name) || TYPE_NAMES.has(name)) return null;
      return `unknown name '${name}' (the variables are ${VARIABLES.join(" and ")})`;
    }
    case "selectExpr":
      return within([node.value.operand]);
    case "callExpr":
      if (!SPECIAL_FORMS.has(node.value.function) && env.funcs.find(node.value.function) === undefined) {
        return `unknown function '${node.value.function}'`;
      }
      return within([node.value.target, ...node.value.args]);
    case "listExpr":
      return within(node.value.elements);
    case "structExpr":
      return within(
        node.value.entries.flatMap((entry) => [
          entry.keyKind.case === "mapKey" ? entry.keyKind.value : undefined,
          entry.value,
        ]),
      );
    case "comprehensionExpr": {
      const loop = node.value;
      const loopScope = new Set([...names, loop.iterVar, loop.iterVar2, loop.accuVar]);
      return (
        within([loop.iterRange, loop.accuInit]) ??
        within([loop.loopCondition, loop.loopStep, loop.result], loopScope)
      );
    }
    default:
      return null;
  }
}

/** The parser's "<input>:1:3: found + but expecting '!', '(', …" made short. */
function syntaxProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const found = /^<input>:(\d+):(\d+): found (.+?) but expecting/s.exec(message);
  if (found) return `unexpected ${found[3]} at line ${found[1]}, column ${found[2]}`;
  return message.replace(/^<input>:/, "");
}
