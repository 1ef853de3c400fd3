import { scanPolicies } from "@/server/kernel/access/source";

/** A range of a string, as `setSelectionRange` takes it (UTF-16 indexes, end exclusive). */
export type TextRange = { start: number; end: number };

/** A 1-based line without its line break; past the last line, the empty range at the end. */
export function lineRange(text: string, line: number): TextRange {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", start);
    if (next === -1) return { start: text.length, end: text.length };
    start = next + 1;
  }
  const end = text.indexOf("\n", start);
  return { start, end: end === -1 ? text.length : end };
}

/** The 1-based line an index falls on. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Where the policy with this @id is written, from its first annotation to its closing semicolon, found
 * with the same scanner the server locates policies with. Null when no policy has that id.
 */
export function policyRange(text: string, id: string): TextRange | null {
  let policies: ReturnType<typeof scanPolicies>;
  try {
    policies = scanPolicies(text);
  } catch {
    // The scanner expects text Cedar has parsed; a draft with a broken escape can make it throw.
    return null;
  }
  const policy = policies.find((p) => p.annotations.some((a) => a.name === "id" && a.value === id));
  return policy ? { start: policy.start, end: policy.end } : null;
}
