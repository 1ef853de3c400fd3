/**
 * A suggested tenant address from a company name ("Acme Corp." → "acme-corp"). Only a suggestion: the
 * visitor can edit it, and the server validates the final value.
 */
export function suggestSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}
