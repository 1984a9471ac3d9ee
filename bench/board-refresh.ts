/**
 * What one board refresh costs with 10 sessions: the live tick (state only, every 500 ms) against the slow
 * tick (git figures, radar, notes, cost, resources, every 3 s), and reading a 5 MB Claude transcript from
 * scratch against the incremental read the board does on each refresh.
 *   npm run bench -- board-refresh [files-per-repo]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTranscript } from "../src/agents/claude/transcript.js";
import { loadContext } from "../src/project/context.js";
import { realLoaders } from "../src/ui/board/loaders.js";
import { braid, gitIn, makeRepo, makeSandbox } from "../test/helpers/env.js";
import { assistantLine, writeTranscript } from "../test/helpers/transcripts.js";

const FILES = Number(process.argv[2] ?? 2000);
const SESSIONS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
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
    for (let i = 0; i < 3; i++) slow.push(await timed(() => loaders.slow()));
    const l = median(live);
    const s = median(slow);
    console.log(`repo: ${FILES} files, ${SESSIONS} sessions (each 1 commit + 1 uncommitted change)`);
    console.log(`live tick (state, no git)            median ${l.toFixed(0)} ms  (budget: 500 ms cadence)`);
    console.log(`slow tick (git, radar, notes, cost)  median ${s.toFixed(0)} ms  = ${(s / l).toFixed(1)}x live`);

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
  } finally {
    sb.cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
