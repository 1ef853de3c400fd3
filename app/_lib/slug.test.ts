import { describe, expect, it } from "vitest";
import { suggestSlug } from "./slug";

describe("suggestSlug", () => {
  it("lowercases and joins words with single hyphens", () => {
    expect(suggestSlug("Acme Corp.")).toBe("acme-corp");
    expect(suggestSlug("  Globex -- International  ")).toBe("globex-international");
  });

  it("drops accents and other characters", () => {
    expect(suggestSlug("Crème Brûlée & Co")).toBe("creme-brulee-co");
  });

  it("stays within 40 characters without a trailing hyphen", () => {
    const slug = suggestSlug("A very long company name that goes on and on forever");
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(slug.endsWith("-")).toBe(false);
  });
});
