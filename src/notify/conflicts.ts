/**
 * New conflicts, noticed when the radar runs: the conflicting pairs are compared with the ones known
 * from the last full run (`<stateDir>/notify/conflicts.json`); each pair that was not there fires one
 * notification per side. A pair that resolves and comes back later notifies again.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../infra/fsutil.js";
import { hasField, readJsonFile } from "../infra/json.js";
import type { ProjectContext } from "../project/context.js";
import { fireNotify } from "./fire.js";

interface Known {
  /** pair key → ISO time it was first seen */
  pairs: Record<string, string>;
}

interface ConflictPair {
  a: string;
  b: string;
  status: string;
  conflictFiles: string[];
}

function knownFile(stateDir: string): string {
  return join(stateDir, "notify", "conflicts.json");
}

function readKnown(stateDir: string): Known {
  return readJsonFile(knownFile(stateDir), hasField<Known>("pairs", "object")) ?? { pairs: {} };
}

/** Called with every full radar run's pairs; never throws. */
export function noticeConflicts(ctx: ProjectContext, pairs: ConflictPair[]): void {
  try {
    const stateDir = ctx.project.stateDir;
    const before = readKnown(stateDir).pairs;
    const now: Record<string, string> = {};
    const fresh: ConflictPair[] = [];
    for (const p of pairs) {
      if (p.status !== "conflict") continue;
      const key = [p.a, p.b].sort().join("\0");
      now[key] = before[key] ?? new Date().toISOString();
      if (!before[key]) fresh.push(p);
    }
    if (fresh.length === 0 && Object.keys(now).length === Object.keys(before).length) return;
    writeFileAtomic(knownFile(stateDir), `${JSON.stringify({ pairs: now } satisfies Known)}\n`);
    for (const p of fresh) {
      const since = now[[p.a, p.b].sort().join("\0")] as string;
      const files = p.conflictFiles.slice(0, 3).join(", ");
      for (const [me, other] of [
        [p.a, p.b],
        [p.b, p.a],
      ] as const) {
        fireNotify({
          session: me,
          state: "conflict",
          detail: `would conflict with ${other}${files ? `: ${files}` : ""}`,
          since: `${since}/${other}`,
          stateDir,
          mainWorktree: ctx.project.mainWorktree,
          project: ctx.project.slug,
        });
      }
    }
  } catch {
    /* notifications are best effort; the radar's report is what matters */
  }
}
