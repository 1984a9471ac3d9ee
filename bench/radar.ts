/**
 * Radar speed: N sessions with uncommitted work on a big repo. Compares braid's radar (snapshots +
 * one batched diff-tree + one batched merge-tree for overlapping pairs only) with the naive check
 * (same snapshots, then one merge-tree process for every pair and every session vs base), in one run.
 *
 *   node dist/bench/radar.js            20k files, 2/4/8/16 sessions (target: 8 sessions < 1 s)
 *   node dist/bench/radar.js --quick    1k files, 2/3 sessions (smoke run inside the tests)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { median, summaryRow } from "./summary.js";

const quick = process.argv.includes("--quick");
const FILES = quick ? 1_000 : 20_000;
const COUNTS = quick ? [2, 3] : [2, 4, 8, 16];

const root = realpathSync(mkdtempSync(join(tmpdir(), "braid-bench-radar-")));
const home = join(root, "home");
mkdirSync(home, { recursive: true });
writeFileSync(join(home, ".gitconfig"), "[user]\n\tname = bench\n\temail = bench@braid.invalid\n");
// Private HOME/XDG so the bench never touches the user's braid registry or git config.
Object.assign(process.env, {
  HOME: home,
  XDG_CONFIG_HOME: join(home, ".config"),
  XDG_DATA_HOME: join(home, ".local", "share"),
  GIT_CONFIG_NOSYSTEM: "1",
});
delete process.env.BRAID_HOME;
delete process.env.BRAID_CONFIG;

function run(cwd: string, args: string[], input?: string): string {
  const r = spawnSync("git", args, { cwd, input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0 && !(args[0] === "merge-tree" && r.status === 1)) throw new Error(`git ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

/** A repo with FILES files in 100 dirs, committed via fast-import (seconds instead of minutes). */
function makeBigRepo(): string {
  const repo = join(root, "big");
  mkdirSync(repo);
  run(repo, ["init", "-q", "-b", "main"]);
  const parts: string[] = ["commit refs/heads/main\ncommitter bench <b@b> 1700000000 +0000\ndata 4\ninit\n"];
  for (let i = 0; i < FILES; i++) {
    const body = `file ${i}\n${"x".repeat(40)}\nline a\nline b\nline c\nline d\n`;
    parts.push(`M 100644 inline d${i % 100}/f${i}.txt\ndata ${Buffer.byteLength(body)}\n${body}\n`);
  }
  run(repo, ["fast-import", "--quiet"], parts.join(""));
  run(repo, ["checkout", "-q", "-f", "main"]);
  return repo;
}

const ms = (t0: number) => Math.round(performance.now() - t0);

async function main(): Promise<void> {
  const { loadContext } = await import("../src/project/context.js");
  const { createWorktree } = await import("../src/worktree/create.js");
  const { runRadar } = await import("../src/radar/radar.js");
  const { radarSnapshot, SnapshotCache } = await import("../src/radar/snapshot.js");

  let t0 = performance.now();
  const repo = makeBigRepo();
  console.log(`repo: ${FILES} files in ${ms(t0)} ms (${root})`);
  const ctx = await loadContext(repo);
  const max = COUNTS[COUNTS.length - 1] as number;
  t0 = performance.now();
  for (let i = 0; i < max; i++) {
    const s = await createWorktree(ctx, { name: `s${i}` });
    // Uncommitted work: 5 own files, s0/s1 edit different lines of one file, pairs (0,1),(2,3).. add the same new file.
    for (let k = 0; k < 5; k++)
      writeFileSync(join(s.path, `d${(i * 7 + k) % 100}`, `f${i * 50 + k}.txt`), `edited by s${i}\n`);
    const shared = `file 1\n${"x".repeat(40)}\nline a${i === 0 ? " s0" : ""}\nline b\nline c\nline d${i === 1 ? " s1" : ""}\n`;
    writeFileSync(join(s.path, "d1", "f1.txt"), shared);
    writeFileSync(join(s.path, `clash-${Math.floor(i / 2)}.txt`), `pair ${Math.floor(i / 2)}, written by s${i}\n`);
    writeFileSync(join(s.path, `new-s${i}.txt`), "untracked\n");
  }
  console.log(`${max} worktrees with uncommitted work in ${ms(t0)} ms`);
  console.log("");
  // The in-process table compares the radar's batching with the naive check: both scan every worktree (no watcher).
  process.env.BRAID_WATCH = "0";
  console.log("sessions  radar-cold  radar-warm  naive   naive/warm  pairs-merged  conflicts");
  for (const n of COUNTS) {
    const names = Array.from({ length: n }, (_, i) => `s${i}`);
    t0 = performance.now();
    const cold = await runRadar(ctx, { names, cache: new SnapshotCache(null) });
    const coldMs = ms(t0);
    const warmCache = new SnapshotCache(null);
    await runRadar(ctx, { names, cache: warmCache });
    t0 = performance.now();
    await runRadar(ctx, { names, cache: warmCache });
    const warmMs = ms(t0);

    // Naive: the same (warm) snapshots, then merge-tree for every pair and vs base, one process each.
    const naiveCache = new SnapshotCache(null);
    const tmpDir = join(root, "naive-tmp");
    for (const name of names) await radarSnapshot(join(root, `big-${name}`), { tmpDir, cache: naiveCache });
    t0 = performance.now();
    const snaps = [];
    for (const name of names)
      snaps.push((await radarSnapshot(join(root, `big-${name}`), { tmpDir, cache: naiveCache })).commit);

    const base = run(repo, ["rev-parse", "main"]).trim();
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++)
        run(repo, ["merge-tree", "--write-tree", "--name-only", snaps[i] as string, snaps[j] as string]);
      run(repo, ["merge-tree", "--write-tree", "--name-only", base, snaps[i] as string]);
    }
    const naiveMs = ms(t0);
    const ratio = naiveMs / Math.max(1, warmMs);
    const merged =
      cold.pairs.filter((p) => p.status !== "clean").length + cold.withBase.filter((p) => p.status !== "clean").length;
    const conflicts = cold.pairs.filter((p) => p.status === "conflict").length;
    console.log(
      `${String(n).padEnd(8)}  ${String(coldMs).padEnd(10)}  ${String(warmMs).padEnd(10)}  ${String(naiveMs).padEnd(6)}  ${ratio.toFixed(2).padEnd(10)}  ${String(merged).padEnd(12)}  ${conflicts}`,
    );
  }
  // The command a user runs: `braid conflicts --json` with all sessions, cold (no radar state) and warm.
  if (!quick) {
    const { BRAID_BIN } = await import("../test/helpers/env.js");
    delete process.env.BRAID_WATCH;
    const { timed } = await import("./timed.js");
    const cli = (env: NodeJS.ProcessEnv = process.env) => {
      const r = timed(process.execPath, [BRAID_BIN, "conflicts", "--json"], { cwd: repo, env });
      if (r.status !== 0 && r.status !== 1) throw new Error(`braid conflicts: ${r.stderr}`);
      return r;
    };
    const noWatcher = { ...process.env, BRAID_WATCH: "0" };
    // The floor of a warm run: asking git once per worktree whether anything changed, as a script would.
    const paths = ctx.store.read().sessions.map((s) => s.path);
    const gitStatusAll = () => {
      const t = performance.now();
      for (const p of paths) spawnSync("git", ["status", "--porcelain"], { cwd: p });
      return performance.now() - t;
    };
    // Settle the worktrees' own indexes first, as an agent's first `git status` does: a fresh checkout's index
    // marks its files "racily clean", and until someone refreshes it every status re-reads them. Measured before
    // braid runs, so the floor's index writes never count as changes braid has to pick up.
    gitStatusAll();
    const floors = [0, 1, 2].map(gitStatusAll);
    // The first run starts the watcher daemon (watch/): wait until it watches every worktree, as it does a moment
    // after a user's first `status` or `conflicts`.
    cli();
    const watchState = join(ctx.project.stateDir, "watch", "state.json");
    const watched = () => {
      try {
        return Object.keys(JSON.parse(readFileSync(watchState, "utf8")).worktrees).length;
      } catch {
        return 0;
      }
    };
    const waitUntil = performance.now() + 60_000;
    while (watched() < paths.length && performance.now() < waitUntil) spawnSync("sleep", ["0.2"]);
    console.log(`watcher: ${watched()} of ${paths.length} worktrees watched`);
    const colds: number[] = [];
    const firstWarms: number[] = [];
    const warms: number[] = [];
    const warmCpu: number[] = [];
    const warmsNoWatcher: number[] = [];
    for (let k = 0; k < 3; k++) {
      rmSync(join(ctx.project.stateDir, "radar"), { recursive: true, force: true });
      colds.push(cli().ms);
      firstWarms.push(cli().ms); // also builds git's untracked cache in braid's index copies, records the watcher's word
      const w = cli();
      warms.push(w.ms);
      warmCpu.push(w.cpuMs);
      cli(noWatcher);
      warmsNoWatcher.push(cli(noWatcher).ms);
      cli(); // the watcher's word again (the runs without it checked every worktree)
    }
    const nodeMs = median(
      [0, 1, 2].map(() => {
        const t = performance.now();
        spawnSync(process.execPath, ["-e", "0"]);
        return performance.now() - t;
      }),
    );
    console.log(
      `\nbraid conflicts --json, ${max} sessions: cold ${median(colds).toFixed(0)} ms, first warm ${median(firstWarms).toFixed(0)} ms, warm ${median(warms).toFixed(0)} ms (user+sys ${median(warmCpu).toFixed(0)} ms on ${availableParallelism()} cores), warm without the watcher ${median(warmsNoWatcher).toFixed(0)} ms; node -e 0: ${nodeMs.toFixed(0)} ms; ${paths.length} × git status, one after another: ${median(floors).toFixed(0)} ms`,
    );
    const what = `conflicts --json, ${max} sessions (${FILES} files)`;
    summaryRow({
      what: `${what}, cold`,
      braid: median(colds),
      baseline: nodeMs,
      baselineLabel: "node -e 0",
      target: "≤ 1000 ms",
    });
    summaryRow({
      what: `(${what}, warm, no watcher)`,
      braid: median(warmsNoWatcher),
      baseline: median(floors),
      baselineLabel: `${paths.length} × git status`,
      target: "—",
    });
    summaryRow({
      what: `${what}, warm`,
      braid: median(warms),
      baseline: median(floors),
      baselineLabel: `${paths.length} × git status`,
      target: "≤ 300 ms",
    });
  }
  console.log("");
  console.log(
    "(ms; cold = first run, no cache; warm = next run, worktrees unchanged (the CLI rows: the run after the first warm one); naive = warm snapshots + one merge-tree\n process per pair and per session vs base, no prefilter; target: 8 sessions < 1000 ms)",
  );
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));
