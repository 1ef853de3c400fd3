/**
 * SCIM filters (RFC 7644 §3.4.2.2): a parser from the filter string to an AST (evaluate.ts evaluates
 * it over a resource). The grammar (RFC 7644 Figure 1):
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   logExp    = FILTER SP ("and" / "or") SP FILTER
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *
 * Order of operations (§3.4.2.2): grouping, then "not" over "and" over "or"; attribute operators bind
 * tightest (RFC errata 4670 corrects the RFC's list, which put them last by mistake).
 * Attribute names and operators are case-insensitive (§3.4.2.2). Errors are `invalidFilter`
 * ScimErrors that name the 0-based position in the filter string.
 */
import { invalidFilter, invalidPath, type ScimError } from "./errors";

export const compareOps = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const;
export type CompareOp = (typeof compareOps)[number];
export type FilterValue = string | number | boolean | null;

/** `schema` is the URN prefix when one was written; `attribute` and `subAttribute` keep their spelling. */
export interface AttrPath {
  readonly schema: string | null;
  readonly attribute: string;
  readonly subAttribute: string | null;
}

export type FilterNode =
  | { readonly kind: "compare"; readonly path: AttrPath; readonly op: CompareOp; readonly value: FilterValue }
  | { readonly kind: "present"; readonly path: AttrPath }
  | { readonly kind: "and" | "or"; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: "not"; readonly filter: FilterNode }
  | { readonly kind: "valuePath"; readonly path: AttrPath; readonly filter: FilterNode };

/** A PATCH target (RFC 7644 §3.5.2): `PATH = attrPath / valuePath [subAttr]`. */
export interface PatchPath {
  readonly path: AttrPath;
  readonly filter: FilterNode | null;
  /** Set only after a value filter: `emails[type eq "work"].value`. */
  readonly subAttribute: string | null;
}

type Token =
  | { readonly type: "word"; readonly text: string; readonly pos: number }
  | { readonly type: "string"; readonly value: string; readonly pos: number }
  | { readonly type: "number"; readonly value: number; readonly pos: number }
  | { readonly type: "(" | ")" | "[" | "]" | "." | "end"; readonly pos: number };

type ErrorFactory = (detail: string) => ScimError;

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// A word is an attribute path or a keyword. URNs bring ":" and "." (".../enterprise:2.0:User:manager").
const wordPattern = /[A-Za-z$][A-Za-z0-9_$:.-]*/y;
const attrNamePattern = /^[A-Za-z$][A-Za-z0-9_$-]*$/;

function tokenize(input: string, fail: ErrorFactory): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < input.length) {
    const char = input.charAt(pos);
    if (char === " " || char === "\t" || char === "\n" || char === "\r") {
      pos += 1;
    } else if (char === "(" || char === ")" || char === "[" || char === "]" || char === ".") {
      tokens.push({ type: char, pos });
      pos += 1;
    } else if (char === '"') {
      const start = pos;
      pos += 1;
      while (pos < input.length && input.charAt(pos) !== '"') pos += input.charAt(pos) === "\\" ? 2 : 1;
      if (pos >= input.length) throw fail(`unterminated string starting at position ${start}`);
      pos += 1;
      let value: unknown;
      try {
        value = JSON.parse(input.slice(start, pos));
      } catch {
        throw fail(`invalid string escape in the string at position ${start}`);
      }
      if (typeof value !== "string") throw fail(`invalid string at position ${start}`);
      tokens.push({ type: "string", value, pos: start });
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      numberPattern.lastIndex = pos;
      const match = numberPattern.exec(input);
      if (!match) throw fail(`invalid number at position ${pos}`);
      tokens.push({ type: "number", value: Number(match[0]), pos });
      pos += match[0].length;
    } else {
      wordPattern.lastIndex = pos;
      const match = wordPattern.exec(input);
      if (!match) throw fail(`unexpected character '${char}' at position ${pos}`);
      // A trailing "." belongs to no attribute name; it cannot end a path.
      if (match[0].endsWith(".")) throw fail(`attribute path ends with '.' at position ${pos}`);
      tokens.push({ type: "word", text: match[0], pos });
      pos += match[0].length;
    }
  }
  tokens.push({ type: "end", pos: input.length });
  return tokens;
}

/** Splits `urn:…:User:name.givenName` into schema, attribute and sub-attribute (RFC 7644 §3.10). */
function parseAttrPath(text: string, pos: number, fail: ErrorFactory): AttrPath {
  const colon = text.lastIndexOf(":");
  const schema = colon === -1 ? null : text.slice(0, colon);
  const rest = colon === -1 ? text : text.slice(colon + 1);
  if (schema !== null && !/^urn:/i.test(schema)) {
    throw fail(`'${text}' at position ${pos} is not an attribute path (a schema prefix must be a URN)`);
  }
  const parts = rest.split(".");
  const [attribute, subAttribute, extra] = parts;
  if (
    attribute === undefined ||
    !attrNamePattern.test(attribute) ||
    extra !== undefined ||
    (subAttribute !== undefined && !attrNamePattern.test(subAttribute))
  ) {
    throw fail(`'${text}' at position ${pos} is not a valid attribute path`);
  }
  return { schema, attribute, subAttribute: subAttribute ?? null };
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly fail: ErrorFactory,
  ) {}

  private peek(): Token {
    // tokenize always ends with an "end" token, and the parser never moves past it.
    return this.tokens[this.index] ?? { type: "end", pos: 0 };
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== "end") this.index += 1;
    return token;
  }

  private keyword(token: Token): string | null {
    return token.type === "word" ? token.text.toLowerCase() : null;
  }

  private describe(token: Token): string {
    switch (token.type) {
      case "word":
        return `'${token.text}'`;
      case "string":
        return `the string ${JSON.stringify(token.value)}`;
      case "number":
        return `the number ${token.value}`;
      case "end":
        return "the end of the filter";
      default:
        return `'${token.type}'`;
    }
  }

  private expect(type: Token["type"], what: string): Token {
    const token = this.next();
    if (token.type !== type)
      throw this.fail(`expected ${what} at position ${token.pos}, found ${this.describe(token)}`);
    return token;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== "end") throw this.fail(`unexpected ${this.describe(token)} at position ${token.pos}`);
  }

  /** or-expression: the loosest binding. */
  parseOr(inValueFilter: boolean): FilterNode {
    let left = this.parseAnd(inValueFilter);
    while (this.keyword(this.peek()) === "or") {
      this.next();
      left = { kind: "or", left, right: this.parseAnd(inValueFilter) };
    }
    return left;
  }

  private parseAnd(inValueFilter: boolean): FilterNode {
    let left = this.parseUnary(inValueFilter);
    while (this.keyword(this.peek()) === "and") {
      this.next();
      left = { kind: "and", left, right: this.parseUnary(inValueFilter) };
    }
    return left;
  }

  private parseUnary(inValueFilter: boolean): FilterNode {
    const token = this.peek();
    const following = this.tokens[this.index + 1];
    if (this.keyword(token) === "not" && following?.type === "(") {
      this.next();
      return { kind: "not", filter: this.parseGroup(inValueFilter) };
    }
    if (token.type === "(") return this.parseGroup(inValueFilter);
    return this.parseAttrExp(inValueFilter);
  }

  private parseGroup(inValueFilter: boolean): FilterNode {
    this.expect("(", "'('");
    const inner = this.parseOr(inValueFilter);
    this.expect(")", "')'");
    return inner;
  }

  parsePath(): AttrPath {
    const token = this.next();
    if (token.type !== "word") {
      throw this.fail(`expected an attribute path at position ${token.pos}, found ${this.describe(token)}`);
    }
    return parseAttrPath(token.text, token.pos, this.fail);
  }

  /** `attr[valFilter]`; the caller has seen the "[". */
  parseValueFilter(path: AttrPath, at: number): FilterNode {
    if (path.subAttribute !== null) {
      throw this.fail(`a value filter applies to an attribute, not a sub-attribute, at position ${at}`);
    }
    this.expect("[", "'['");
    const filter = this.parseOr(true);
    this.expect("]", "']'");
    return filter;
  }

  private parseAttrExp(inValueFilter: boolean): FilterNode {
    const start = this.peek().pos;
    const path = this.parsePath();
    if (this.peek().type === "[") {
      // RFC 7644 Figure 1: valFilter has no valuePath, so value filters do not nest.
      if (inValueFilter) throw this.fail(`value filters cannot be nested (position ${this.peek().pos})`);
      return { kind: "valuePath", path, filter: this.parseValueFilter(path, start) };
    }
    const opToken = this.next();
    const op = this.keyword(opToken);
    if (op === "pr") return { kind: "present", path };
    const compareOp = compareOps.find((known) => known === op);
    if (!compareOp) {
      throw this.fail(
        `expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) at position ${opToken.pos}, found ${this.describe(opToken)}`,
      );
    }
    const valueToken = this.next();
    const value = this.literal(valueToken);
    // RFC 7644 §3.4.2.2: co/sw/ew compare strings; gt/ge/lt/le on booleans "SHALL cause ... invalidFilter".
    if ((compareOp === "co" || compareOp === "sw" || compareOp === "ew") && typeof value !== "string") {
      throw this.fail(`'${compareOp}' needs a string value (position ${valueToken.pos})`);
    }
    if (
      (compareOp === "gt" || compareOp === "ge" || compareOp === "lt" || compareOp === "le") &&
      (typeof value === "boolean" || value === null)
    ) {
      throw this.fail(`'${compareOp}' cannot compare with ${String(value)} (position ${valueToken.pos})`);
    }
    return { kind: "compare", path, op: compareOp, value };
  }

  private literal(token: Token): FilterValue {
    if (token.type === "string" || token.type === "number") return token.value;
    const word = this.keyword(token);
    if (word === "true") return true;
    if (word === "false") return false;
    if (word === "null") return null;
    throw this.fail(
      `expected a value (a string in double quotes, number, true, false or null) at position ${token.pos}, found ${this.describe(token)}`,
    );
  }

  /** PATCH path: attrPath, or attrPath "[" valFilter "]" [ "." subAttr ]. */
  parsePatchPath(): PatchPath {
    const start = this.peek().pos;
    const path = this.parsePath();
    if (this.peek().type !== "[") return { path, filter: null, subAttribute: null };
    const filter = this.parseValueFilter(path, start);
    if (this.peek().type !== ".") return { path, filter, subAttribute: null };
    this.next();
    const sub = this.next();
    if (sub.type !== "word" || !attrNamePattern.test(sub.text)) {
      throw this.fail(`expected a sub-attribute name at position ${sub.pos}`);
    }
    return { path, filter, subAttribute: sub.text };
  }
}

/** Parses a filter; throws an `invalidFilter` ScimError naming the position of the problem. */
export function parseFilter(filter: string): FilterNode {
  const fail = (detail: string) => invalidFilter(`Invalid filter: ${detail}`);
  if (filter.trim() === "") throw fail("the filter is empty");
  const parser = new Parser(tokenize(filter, fail), fail);
  const node = parser.parseOr(false);
  parser.expectEnd();
  return node;
}

/** Parses a PATCH `path` (RFC 7644 §3.5.2); throws an `invalidPath` ScimError. */
export function parsePatchPath(path: string): PatchPath {
  const fail = (detail: string) => invalidPath(`Invalid path: ${detail}`);
  const parser = new Parser(tokenize(path, fail), fail);
  const parsed = parser.parsePatchPath();
  parser.expectEnd();
  return parsed;
}
