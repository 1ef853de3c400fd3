import { ESLint } from "eslint";

const eslint = new ESLint({ cwd: process.cwd() });

/**
 * The restricted-import messages ESLint gives `source` as if it were the file at `filePath`: the
 * layering tests lint small sources under existing paths, because type-aware linting needs a path
 * the TypeScript project knows.
 */
export async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath, warnIgnored: true });
  const fatal = result?.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${filePath} could not be linted: ${fatal.message}`);
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}
