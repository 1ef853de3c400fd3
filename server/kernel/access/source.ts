/**
 * Just enough of Cedar's lexical grammar to locate things in policy text that Cedar does not report
 * positions for: where each policy starts and ends, its annotations, and its entity literals.
 * Only used on text Cedar has already parsed successfully, so it need not diagnose bad input.
 * Grammar: https://docs.cedarpolicy.com/policies/syntax-grammar.html
 */

export type Position = { line: number; column: number };

export type ScannedAnnotation = { name: string; value: string; index: number };
export type EntityLiteral = { path: string[]; id: string; index: number };
export type ScannedPolicy = {
  start: number;
  end: number;
  annotations: ScannedAnnotation[];
  entities: EntityLiteral[];
};

type Token =
  | { kind: "ident"; text: string; index: number }
  | { kind: "string"; value: string; index: number }
  | { kind: "punct"; text: string; index: number };

const ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  "\\": "\\",
  "0": "\0",
  "'": "'",
  '"': '"',
};

function unescape(raw: string): string {
  return raw.replace(/\\(u\{([0-9a-fA-F]{1,6})\}|.)/gs, (whole, escape: string, hex: string | undefined) =>
    hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : (ESCAPES[escape] ?? whole),
  );
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|\/\/[^\n]*|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)|(::|.)/gsy;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [, string, ident, punct] = match;
    if (string !== undefined) tokens.push({ kind: "string", value: unescape(string), index: match.index });
    else if (ident !== undefined) tokens.push({ kind: "ident", text: ident, index: match.index });
    else if (punct !== undefined) tokens.push({ kind: "punct", text: punct, index: match.index });
  }
  return tokens;
}

const isPunct = (token: Token | undefined, text: string) => token?.kind === "punct" && token.text === text;

/** Splits policy text into policies (each ends at a top-level `;`) with what each one names. */
export function scanPolicies(text: string): ScannedPolicy[] {
  const tokens = tokenize(text);
  const policies: ScannedPolicy[] = [];
  let current: ScannedPolicy | null = null;
  tokens.forEach((token, i) => {
    current ??= { start: token.index, end: text.length, annotations: [], entities: [] };
    if (token.kind === "punct" && token.text === ";") {
      current.end = token.index + 1;
      policies.push(current);
      current = null;
      return;
    }
    const name = tokens[i + 1];
    if (isPunct(token, "@") && name?.kind === "ident") {
      const value = isPunct(tokens[i + 2], "(") ? tokens[i + 3] : undefined;
      current.annotations.push({
        name: name.text,
        value: value?.kind === "string" ? value.value : "",
        index: token.index,
      });
    }
    // An entity literal is `Path::"id"`: walk back over `ident ::` pairs before the string.
    if (token.kind === "string" && isPunct(tokens[i - 1], "::")) {
      const path: string[] = [];
      let j = i - 2;
      for (let part = tokens[j]; part?.kind === "ident"; part = tokens[j]) {
        path.unshift(part.text);
        if (!isPunct(tokens[j - 1], "::")) break;
        j -= 2;
      }
      current.entities.push({ path, id: token.value, index: tokens[j]?.index ?? token.index });
    }
  });
  if (current) policies.push(current);
  return policies;
}

/** Converts a UTF-8 byte offset (what Cedar reports) to an index into the JavaScript string. */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  return Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8").length;
}

/**
 * 1-based line and column of a string index. Columns count Unicode code points, i.e. characters
 * as a person counts them (an emoji or "é" is one column), not bytes or UTF-16 units.
 */
export function positionAt(text: string, index: number): Position {
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.split("\n").length;
  return { line, column: [...before.slice(lineStart)].length + 1 };
}
