/**
 * CPU% and resident memory of a process and all its descendants, from /proc (Linux).
 * CPU needs two samples: a `ResourceSampler` keeps the previous one, so a board refreshing every second
 * gets a figure from the second refresh on; `measureTrees` takes two samples itself for one-shot commands.
 * Elsewhere (no /proc) every figure is null.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface Resources {
  /** Percent of one core (200 = two cores busy); null until two samples exist. */
  cpuPercent: number | null;
  rssBytes: number | null;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  rssPages: number;
}

/** Linux's USER_HZ is 100 on every mainstream architecture. */
const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

/** Parse one /proc/<pid>/stat line. The command name may contain spaces and parentheses: split after the last ")". */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(")");
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isFinite(pid)) return null;
  const f = text
    .slice(close + 2)
    .trim()
    .split(" ");
  // f[0] = state (field 3); ppid = field 4, utime 14, stime 15, rss 24 → f[n-3]
  const ppid = Number(f[1]);
  const ticks = Number(f[11]) + Number(f[12]);
  const rssPages = Number(f[21]);
  if (![ppid, ticks, rssPages].every(Number.isFinite)) return null;
  return { pid, ppid, ticks, rssPages };
}

/** Every process's stat, or null where /proc is not available. */
function readAllStats(): Map<number, ProcStat> | null {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return null;
  }
  const stats = new Map<number, ProcStat>();
  for (const n of names) {
    if (n.charCodeAt(0) < 48 || n.charCodeAt(0) > 57) continue;
    try {
      const s = parseStat(readFileSync(`/proc/${n}/stat`, "utf8"));
      if (s) stats.set(s.pid, s);
    } catch {
      /* the process exited between readdir and read */
    }
  }
  return stats;
}

/** pid and all its descendants present in `stats`. */
export function treeOf(root: number, stats: Map<number, ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  if (!stats.has(root)) return [];
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop() as number;
    out.push(p);
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  return out;
}

interface TreeSample {
  at: number;
  /** Ticks per pid in the tree, so a child that exited between samples does not make CPU negative. */
  ticks: Map<number, number>;
}

/** Keeps the previous sample per root pid, so each `sample()` call yields CPU over the interval since the last. */
export class ResourceSampler {
  private previous = new Map<number, TreeSample>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resources of each root's process tree. Roots that are gone map to nulls. */
  sample(roots: number[]): Map<number, Resources> {
    const result = new Map<number, Resources>();
    const stats = roots.length ? readAllStats() : null;
    const at = this.now();
    const next = new Map<number, TreeSample>();
    for (const root of roots) {
      const tree = stats ? treeOf(root, stats) : [];
      if (!stats || tree.length === 0) {
        result.set(root, { cpuPercent: null, rssBytes: null });
        continue;
      }
      const ticks = new Map<number, number>();
      let rssPages = 0;
      for (const p of tree) {
        const s = stats.get(p) as ProcStat;
        ticks.set(p, s.ticks);
        rssPages += s.rssPages;
      }
      const prev = this.previous.get(root);
      let cpuPercent: number | null = null;
      if (prev && at > prev.at) {
        let delta = 0;
        for (const [p, t] of ticks) delta += Math.max(0, t - (prev.ticks.get(p) ?? 0)); // a child born in the interval counts whole
        cpuPercent = Math.round(((delta / CLOCK_TICKS) * 1000 * 1000) / (at - prev.at)) / 10;
      }
      next.set(root, { at, ticks });
      result.set(root, { cpuPercent, rssBytes: rssPages * PAGE_SIZE });
    }
    this.previous = next;
    return result;
  }
}

/** One-shot measurement: two samples `intervalMs` apart. */
export async function measureTrees(roots: number[], intervalMs = 250): Promise<Map<number, Resources>> {
  const sampler = new ResourceSampler();
  sampler.sample(roots);
  await new Promise((r) => setTimeout(r, intervalMs));
  return sampler.sample(roots);
}
