/** The repository the merge and status benches measure: many small files, and N sessions with one commit each. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { braid, gitIn, type Sandbox } from "../test/helpers/env.js";

/** `count` one-line files spread over 50 folders (`src/d<k>/f<i>.txt`). */
export function manyFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`src/d${i % 50}/f${i}.txt`] = `line ${i}\n`;
  return files;
}

/** Sessions s1…sN (`braid new --no-bootstrap`), each with one commit changing its own file; their worktrees. */
export async function sessionsWithOneCommit(sb: Sandbox, repo: string, count: number): Promise<string[]> {
  const wts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const r = await braid(sb, repo, ["new", `s${i}`, "--no-bootstrap"]);
    if (r.code !== 0) throw new Error(r.stderr);
    const wt = join(sb.root, `app-s${i}`);
    writeFileSync(join(wt, `src/d${i}/f${i}.txt`), `changed by s${i}\n`);
    gitIn(sb, wt, "commit", "-qam", `s${i} work`);
    wts.push(wt);
  }
  return wts;
}
