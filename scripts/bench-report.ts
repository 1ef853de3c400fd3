/**
 * Where the benchmarks write: each owns one section of docs/benchmarks.md, between
 * `<!-- bench-<name>:start -->` and `<!-- bench-<name>:end -->`, replaced in place or appended.
 */
import { readFile, writeFile } from "node:fs/promises";

const FILE = "docs/benchmarks.md";
const HEADER =
  "# Benchmarks\n\nNumbers from the scripts in `scripts/bench-*.ts`, with the machine they ran on.\n";

/** `section` must begin and end with the name's markers. Returns the file written. */
export async function writeBenchmarkSection(name: string, section: string): Promise<string> {
  const start = `<!-- bench-${name}:start -->`;
  const end = `<!-- bench-${name}:end -->`;
  if (!section.startsWith(start) || !section.trimEnd().endsWith(end)) {
    throw new Error(`The ${name} section must be wrapped in ${start} … ${end}`);
  }
  const current = await readFile(FILE, "utf8").catch(() => HEADER);
  const at = current.indexOf(start);
  const until = current.indexOf(end);
  const replaced =
    at >= 0 && until > at
      ? current.slice(0, at) + section.trimEnd() + current.slice(until + end.length)
      : `${current.trimEnd()}\n\n${section.trimEnd()}\n`;
  await writeFile(FILE, replaced);
  return FILE;
}
