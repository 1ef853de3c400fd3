import { describe, expect, it } from "vitest";
import { fairnessOf, fairShares, jainIndex } from "./fairness";

describe("jainIndex", () => {
  it("is 1 for equal shares and 1/n when one party gets everything", () => {
    expect(jainIndex([3, 3, 3])).toBe(1);
    expect(jainIndex([1, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([])).toBeNull();
  });
});

describe("fairShares (weighted max-min)", () => {
  it("gives a small demand all it asks and splits the rest by weight", () => {
    const shares = fairShares(
      [
        { id: "small", demand: 10, weight: 1 },
        { id: "a", demand: 1000, weight: 1 },
        { id: "b", demand: 1000, weight: 3 },
      ],
      410,
    );
    expect(shares.get("small")).toBe(10);
    expect(shares.get("a")).toBeCloseTo(100);
    expect(shares.get("b")).toBeCloseTo(300);
  });
});

describe("fairnessOf", () => {
  it("counts a light tenant that got what it asked for as fairly treated", () => {
    expect(
      fairnessOf([
        { id: "light", demand: 5, served: 5, weight: 1 },
        { id: "heavy", demand: 500, served: 95, weight: 1 },
      ]),
    ).toBeCloseTo(1);
  });

  it("drops when a backlogged tenant is starved", () => {
    const index = fairnessOf([
      { id: "flood", demand: 500, served: 95, weight: 1 },
      { id: "starved", demand: 500, served: 5, weight: 1 },
    ]);
    expect(index).toBeLessThan(0.65);
  });
});
