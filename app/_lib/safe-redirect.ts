/**
 * A redirect target taken from the URL or a form is only used when it is a path on this site: it must
 * start with "/" but not "//" or "/\" (both of which browsers treat as another host). Anything else
 * becomes null, and callers fall back to a default.
 */
export function safeCallbackUrl(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 2000) return null;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  // Control characters (tabs, newlines) are stripped by URL parsers and can turn "/\t/evil" into "//evil".
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return null;
  }
  return value;
}
