import pg from "pg";

/**
 * Times every query of every pg client in this process (the benchmarks' view of the database round
 * trips): `record` gets each query's text, start and end while `shouldRecord(client)` says so.
 * Wrapping pg.Client#query leaves the code under test as it is.
 */
export function timePgQueries(
  shouldRecord: (client: pg.Client) => boolean,
  record: (text: string, startedAt: number, endedAt: number) => void,
): void {
  const originalQuery: unknown = Reflect.get(pg.Client.prototype, "query");
  if (typeof originalQuery !== "function") throw new Error("pg.Client#query is not a function");
  Object.defineProperty(pg.Client.prototype, "query", {
    configurable: true,
    writable: true,
    value: function timedQuery(this: pg.Client, ...queryArgs: unknown[]): unknown {
      if (!shouldRecord(this)) return Reflect.apply(originalQuery, this, queryArgs);
      const [first] = queryArgs;
      const text = typeof first === "string" ? first : String(Reflect.get(Object(first), "text") ?? "");
      const startedAt = performance.now();
      const done = () => record(text, startedAt, performance.now());
      const last = queryArgs.at(-1);
      if (typeof last === "function") {
        // pg.Pool#query calls its client with a callback.
        queryArgs[queryArgs.length - 1] = (...results: unknown[]) => {
          done();
          const returned: unknown = Reflect.apply(last, undefined, results);
          return returned;
        };
        return Reflect.apply(originalQuery, this, queryArgs);
      }
      const result: unknown = Reflect.apply(originalQuery, this, queryArgs);
      if (result instanceof Promise) result.then(done, done);
      return result;
    },
  });
}
