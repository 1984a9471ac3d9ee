/**
 * `braid status --json` with 10 sessions (each one commit and one uncommitted change) against 10 × `git status`
 * (one per worktree, as a script polling them would), in the same run; medians, alternating which goes first.
 *   npm run bench -- status [files-per-repo] [runs]
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRAID_BIN, makeRepo, makeSandbox } from "../test/helpers/env.js";
import { manyFiles, sessionsWithOneCommit } from "./sessions.js";
import { median, summaryRow } from "./summary.js";
import { timed } from "./timed.js";

const FILES = Number(process.argv[2] ?? 20000);
const RUNS = Number(process.argv[3] ?? 7);
const SESSIONS = 10;

async function main(): Promise<void> {
  const sb = makeSandbox("braid-bench-status-");
  try {
    const repo = makeRepo(sb, "app", manyFiles(FILES));
    writeFileSync(join(sb.root, "global.toml"), `max_code_sessions = ${SESSIONS}\n`);
    sb.env.BRAID_CONFIG = join(sb.root, "global.toml");
    const wts = await sessionsWithOneCommit(sb, repo, SESSIONS);
    for (const [k, wt] of wts.entries()) writeFileSync(join(wt, `src/d${k + 1}/f${k + 51}.txt`), "uncommitted\n");
    const timeStatus = () => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [BRAID_BIN, "status", "--json"], { cwd: repo, env: sb.env });
      if (r.status !== 0) throw new Error(String(r.stderr));
      return performance.now() - t;
    };
    const timeGit = () => {
      const t = performance.now();
      for (const wt of wts) spawnSync("git", ["status", "--porcelain"], { cwd: wt, env: sb.env });
      return performance.now() - t;
    };
    // CPU (user + sys, children included) tells more than wall time on a loaded machine (bench/timed.ts).
    const cpuOf = (cmd: string, args: string[], cwd: string): number | null => {
      const c = timed(cmd, args, { cwd, env: sb.env }).cpuMs;
      return Number.isNaN(c) ? null : c;
    };
    const script = wts.map((wt) => `git -C '${wt}' status --porcelain >/dev/null`).join("; ");
    // Settle the worktrees' indexes first (the first plain `git status` after a checkout rewrites a racy index, which
    // braid would then rightly take as a change), then fill braid's caches: its index copies, their untracked
    // cache, merge bases. What follows measures worktrees that did not change, on both sides.
    timeGit();
    timeStatus();
    timeStatus();
    const b: number[] = [];
    const g: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (i % 2) g.push(timeGit());
      b.push(timeStatus());
      if (!(i % 2)) g.push(timeGit());
    }
    const cb: number[] = [];
    const cg: number[] = [];
    for (let i = 0; i < 3; i++) {
      const b1 = cpuOf(process.execPath, [BRAID_BIN, "status", "--json"], repo);
      const g1 = cpuOf("sh", ["-c", script], repo);
      if (b1 !== null && g1 !== null) {
        cb.push(b1);
        cg.push(g1);
      }
    }
    console.log(`repo: ${FILES} files, ${SESSIONS} sessions, ${RUNS} runs`);
    if (cb.length)
      console.log(
        `CPU (user+sys, children too): braid ${median(cb).toFixed(0)} ms, 10 x git status ${median(cg).toFixed(0)} ms`,
      );
    console.log(`braid status --json      median ${median(b).toFixed(0)} ms`);
    console.log(`10 x git status          median ${median(g).toFixed(0)} ms`);
    summaryRow({
      what: `status --json, ${SESSIONS} sessions (${FILES} files)`,
      braid: median(b),
      baseline: median(g),
      baselineLabel: `${SESSIONS} × git status`,
      target: "≤ 1.0×",
    });
  } finally {
    sb.cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
