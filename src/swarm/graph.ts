/** Dependency graphs of named items: cycle detection and waves (items whose dependencies are all met). */

/** One cycle as a list of names (first repeated at the end), or null when the graph has none. */
export function findCycle(deps: Map<string, string[]>): string[] | null {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    const s = state.get(n);
    if (s === "done") return null;
    if (s === "visiting") return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, "visiting");
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (!deps.has(d)) continue; // unknown names are reported separately
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of deps.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

/**
 * Group items into waves: wave 1 has no dependencies, wave k depends only on earlier waves.
 * Keeps the input order inside a wave. Call findCycle first: items on a cycle are left out.
 */
export function waves(deps: Map<string, string[]>): string[][] {
  const wave = new Map<string, number>();
  const depth = (n: string, seen: Set<string>): number => {
    const known = wave.get(n);
    if (known !== undefined) return known;
    if (seen.has(n)) return Number.POSITIVE_INFINITY;
    seen.add(n);
    let w = 0;
    for (const d of deps.get(n) ?? []) if (deps.has(d)) w = Math.max(w, depth(d, seen) + 1);
    seen.delete(n);
    wave.set(n, w);
    return w;
  };
  const result: string[][] = [];
  for (const n of deps.keys()) {
    const w = depth(n, new Set());
    if (!Number.isFinite(w)) continue;
    while (result.length <= w) result.push([]);
    result[w]?.push(n);
  }
  return result;
}
