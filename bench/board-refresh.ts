/**
 * What one board refresh costs with 10 sessions: the live tick (state only, every 500 ms) against the slow
 * tick (git figures, radar, notes, cost, resources, every 3 s), and reading a 5 MB Claude transcript from
 * scratch against the incremental read the board does on each refresh.
 * Then the idle board: 10 sessions with a (sleeping) agent in tmux each, the board's source polling as the
 * board does, nothing changing: CPU of this process and its children (git, tmux clients) as % of one core.
 *   npm run bench -- board-refresh [files-per-repo] [idle-seconds]
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTranscript } from "../src/agents/claude/transcript.js";
import { loadContext } from "../src/project/context.js";
import { realLoaders } from "../src/ui/board/loaders.js";
import { PollingSource } from "../src/ui/board/source.js";
import { braid, gitIn, makeRepo, makeSandbox } from "../test/helpers/env.js";
import { assistantLine, writeTranscript } from "../test/helpers/transcripts.js";
import { median, summaryRow } from "./summary.js";

const FILES = Number(process.argv[2] ?? 2000);
const SESSIONS = 10;
const IDLE_SECONDS = Number(process.argv[3] ?? 20);

/** CPU seconds of this process and its reaped children (utime+stime+cutime+cstime from /proc). */
function cpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  // after "pid (comm) ": state is field 3, utime 14 .. cstime 17 (1-based) → indexes 11..14 here
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return ticks / 100; // USER_HZ
}

async function timed<T>(fn: () => Promise<T> | T): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const sb = makeSandbox("braid-bench-");
  // in-process loaders read HOME/XDG: point them at the sandbox
  Object.assign(process.env, sb.env);
  try {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`src/d${i % 50}/f${i}.txt`] = `line ${i}\n`;
    const repo = makeRepo(sb, "app", files);
    for (let i = 1; i <= SESSIONS; i++) {
      const r = await braid(sb, repo, ["new", `s${i}`]);
      if (r.code !== 0) throw new Error(r.stderr);
      const wt = join(sb.root, `app-s${i}`);
      writeFileSync(join(wt, `src/d${i}/f${i}.txt`), `changed by s${i}\n`);
      gitIn(sb, wt, "commit", "-qam", `s${i} work`);
      writeFileSync(join(wt, `src/d${i}/f${i + 50}.txt`), "uncommitted\n");
    }
    const ctx = await loadContext(repo);
    const loaders = realLoaders(ctx);
    await loaders.slow(); // warm caches (git, cost cursors)
    const live: number[] = [];
    const slow: number[] = [];
    for (let i = 0; i < 10; i++) live.push(await timed(() => loaders.live()));
    // fresh loaders each time: a full slow load (a board's own loaders skip it while nothing changed)
    for (let i = 0; i < 3; i++) slow.push(await timed(() => realLoaders(ctx).slow()));
    const skipped = median(await Promise.all([0, 1, 2].map(() => timed(() => loaders.slow()))));
    const l = median(live);
    const s = median(slow);
    console.log(`repo: ${FILES} files, ${SESSIONS} sessions (each 1 commit + 1 uncommitted change)`);
    console.log(`live tick (state, no git)            median ${l.toFixed(0)} ms  (budget: 500 ms cadence)`);
    console.log(`slow tick (git, radar, notes, cost)  median ${s.toFixed(0)} ms  = ${(s / l).toFixed(1)}x live`);
    console.log(`slow tick, nothing changed (skipped) median ${skipped.toFixed(1)} ms`);

    // transcripts: 5 MB written once, then 10 lines appended per refresh
    const wt = join(sb.root, "app-s1");
    const line = assistantLine("m0", { input_tokens: 100, output_tokens: 10 });
    const lines = Array.from({ length: Math.ceil((5 * 1024 * 1024) / line.length) }, (_, i) =>
      assistantLine(`m${i}`, { input_tokens: 100, output_tokens: 10 }),
    );
    const path = writeTranscript(sb.home, wt, "big.jsonl", lines);
    let cursor = readTranscript(path);
    const full: number[] = [];
    const incr: number[] = [];
    for (let i = 0; i < 5; i++) {
      full.push(await timed(() => readTranscript(path)));
      writeTranscript(
        sb.home,
        wt,
        "big.jsonl",
        Array.from({ length: 10 }, (_, k) => assistantLine(`n${i}-${k}`, {})),
      );
      incr.push(
        await timed(() => {
          cursor = readTranscript(path, cursor);
        }),
      );
    }
    const f = median(full);
    const n = median(incr);
    console.log(`transcript 5 MB, full read           median ${f.toFixed(1)} ms`);
    console.log(`transcript, incremental (+10 lines)  median ${n.toFixed(2)} ms  = ${(f / n).toFixed(0)}x faster`);

    // The idle board: an agent (sleeping) in tmux in every session, nothing changing.
    const global = join(sb.root, "global.toml");
    writeFileSync(
      global,
      `max_code_sessions = ${SESSIONS}\nagent = "idle"\n[agents.idle]\ncommand = ["sleep", "100000"]\n`,
    );
    sb.env.BRAID_CONFIG = global;
    process.env.BRAID_CONFIG = global;
    for (let i = 1; i <= SESSIONS; i++) {
      const r = await braid(sb, repo, ["start", `s${i}`, "work"]);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    const source = new PollingSource(realLoaders(await loadContext(repo)));
    await source.load();
    const stop = source.subscribe(() => undefined);
    await new Promise((r) => setTimeout(r, 4000)); // settle: first slow loads, debouncers
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const pct = ((cpuSeconds() - c0) / ((performance.now() - t0) / 1000)) * 100;
    stop();
    console.log(
      `idle board, ${SESSIONS} sessions, ${IDLE_SECONDS} s   CPU ${pct.toFixed(1)}% of a core (process + children)`,
    );
    summaryRow({
      what: `idle board, ${SESSIONS} sessions (${FILES} files each)`,
      braid: pct,
      baseline: null,
      baselineLabel: "—",
      target: "≤ 3%",
      unit: "%",
    });
    spawnSync("tmux", ["kill-server"], { env: sb.env });
  } finally {
    sb.cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
