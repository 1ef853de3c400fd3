type Waiting<In, Out> = { input: In; resolve: (output: Out) => void; reject: (error: unknown) => void };
type Queue<In, Out> = { waiting: Waiting<In, Out>[]; running: boolean };

/**
 * Group commit per key (a tenant): inputs that arrive while the key's previous batch is in flight are
 * handled together by the next call of `run`, at most `maxBatch` at a time. Work of one tenant is
 * serialised anyway (its audit chain lock), so a lone caller waits no longer and many concurrent callers
 * share the round trips. `run` answers one output per input, in order; if it throws, every caller of
 * that batch gets the error.
 */
export class GroupCommit<In, Out> {
  private readonly queues = new Map<string, Queue<In, Out>>();

  constructor(
    private readonly run: (key: string, batch: In[]) => Promise<Out[]>,
    private readonly maxBatch: number,
  ) {}

  submit(key: string, input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const queue = this.queues.get(key) ?? { waiting: [], running: false };
      this.queues.set(key, queue);
      queue.waiting.push({ input, resolve, reject });
      if (!queue.running) void this.drain(key, queue);
    });
  }

  private async drain(key: string, queue: Queue<In, Out>) {
    queue.running = true;
    try {
      while (queue.waiting.length > 0) {
        const batch = queue.waiting.splice(0, this.maxBatch);
        try {
          const outputs = await this.run(
            key,
            batch.map((w) => w.input),
          );
          if (outputs.length !== batch.length)
            throw new Error(`A batch of ${batch.length} got ${outputs.length} answers`);
          batch.forEach((w, i) => w.resolve(outputs[i] as Out));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      queue.running = false;
      this.queues.delete(key);
    }
  }
}
