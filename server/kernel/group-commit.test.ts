import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

describe("GroupCommit", () => {
  it("batches what arrives while a key's batch is in flight, up to the limit, keys apart", async () => {
    const batches: string[][] = [];
    let release = () => undefined as void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<string, string>(async (key, inputs) => {
      batches.push(inputs.map((i) => `${key}:${i}`));
      if (batches.length === 1) await first;
      return inputs.map((i) => i.toUpperCase());
    }, 2);
    const answers = [
      group.submit("a", "x"),
      group.submit("a", "y"),
      group.submit("a", "z"),
      group.submit("b", "w"),
    ];
    release();
    expect(await Promise.all(answers)).toEqual(["X", "Y", "Z", "W"]);
    expect(batches).toEqual([["a:x"], ["b:w"], ["a:y", "a:z"]]);
  });

  it("gives every caller of a failed batch its error, and goes on with the next batch", async () => {
    const group = new GroupCommit<number, number>(
      (_key, inputs) =>
        inputs.includes(13) ? Promise.reject(new Error("unlucky")) : Promise.resolve(inputs),
      10,
    );
    await expect(group.submit("k", 13)).rejects.toThrow("unlucky");
    expect(await group.submit("k", 7)).toBe(7);
  });

  it("refuses a batch answered with the wrong number of outputs", async () => {
    const group = new GroupCommit<number, number>(() => Promise.resolve([]), 10);
    await expect(group.submit("k", 1)).rejects.toThrow("A batch of 1 got 0 answers");
  });
});
