/**
 * Jain's fairness index, (Σx)² / (n·Σx²): 1 when every party got the same, 1/n when one got
 * everything. Applied to how much each party got *relative to its fair share* (Jain, Chiu and Hawe,
 * 1984, §3: x_i = actual_i / optimal_i), so a tenant that asked for little and got it counts as
 * treated fairly, not as starved.
 */
export function jainIndex(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/**
 * Weighted max-min fair shares of `capacity` for parties demanding `demand` (water-filling): a party
 * demanding less than its weighted share gets its demand, and what it leaves is split among the
 * rest by weight.
 */
export function fairShares(
  parties: readonly { id: string; demand: number; weight: number }[],
  capacity: number,
): Map<string, number> {
  const shares = new Map<string, number>();
  let left = capacity;
  let open = parties.filter((p) => p.demand > 0);
  for (const p of parties) shares.set(p.id, 0);
  while (open.length > 0 && left > 1e-9) {
    const totalWeight = open.reduce((a, p) => a + p.weight, 0);
    const satisfied = open.filter(
      (p) => p.demand - (shares.get(p.id) ?? 0) <= (left * p.weight) / totalWeight,
    );
    if (satisfied.length === 0) {
      for (const p of open) shares.set(p.id, (shares.get(p.id) ?? 0) + (left * p.weight) / totalWeight);
      break;
    }
    for (const p of satisfied) {
      left -= p.demand - (shares.get(p.id) ?? 0);
      shares.set(p.id, p.demand);
    }
    open = open.filter((p) => !satisfied.includes(p));
  }
  return shares;
}

/** Jain's index of what each party got against its weighted max-min fair share. */
export function fairnessOf(
  parties: readonly { id: string; demand: number; served: number; weight: number }[],
): number | null {
  const capacity = parties.reduce((a, p) => a + p.served, 0);
  const shares = fairShares(parties, capacity);
  const ratios = parties
    .filter((p) => (shares.get(p.id) ?? 0) > 0)
    .map((p) => p.served / (shares.get(p.id) ?? 1));
  return jainIndex(ratios);
}
