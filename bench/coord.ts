/**
 * Coordination write throughput and integrity: N processes post notes (and learnings) at once.
 *   braid  — the real stores: one O_APPEND write per note; learnings folded under the lock
 *   locked — baseline: read-modify-write of the notes file under withLock (a typical locked store)
 *   naive  — baseline: read-modify-write with no lock at all
 * Prints notes/s, learnings/s and how many entries were lost or duplicated, measured in the same run.
 * Usage: npm run bench -- coord [workers] [notesPerWorker] [learningsPerWorker]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMemory } from "../src/coord/memory.js";
import { appendNote, formatEntry, newNoteId, parseNotes } from "../src/coord/notes.js";
import { withLock, writeFileAtomic } from "../src/infra/fsutil.js";

const WORKER = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "helpers", "coord-worker.js");
const [workers = 16, notesEach = 50, learnEach = 10] = process.argv.slice(2).map(Number);

async function run(mode: string, notes: number, learnings: number): Promise<{ ms: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "braid-bench-coord-"));
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: workers },
      (_, id) =>
        new Promise<void>((resolve) => {
          const c = spawn(
            process.execPath,
            [WORKER, join(dir, "notes.md"), join(dir, "memory.md"), String(id), String(notes), String(learnings), mode],
            { stdio: "ignore" },
          );
          c.on("close", () => resolve());
        }),
    ),
  );
  return { ms: performance.now() - t0, dir };
}

function countNotes(dir: string): { unique: number; dup: number } {
  const f = join(dir, "notes.md");
  const notes = existsSync(f) ? parseNotes(readFileSync(f, "utf8")).notes : [];
  const keys = notes.map((n) => `${n.from}\n${n.text}`);
  return { unique: new Set(keys).size, dup: keys.length - new Set(keys).size };
}

function countLearnings(dir: string): number {
  const f = join(dir, "memory.md");
  if (!existsSync(f)) return 0;
  return new Set(parseMemory(readFileSync(f, "utf8")).sections.flatMap((s) => s.items.map((i) => i.text))).size;
}

/** Per-write cost without process start-up: one process, sequential writes. */
async function singleProcess(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "braid-bench-coord-"));
  const file = join(dir, "notes.md");
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await appendNote(file, { from: "bench", to: "all", text: `note ${i}` });
  const braidMs = performance.now() - t0;
  const file2 = join(dir, "locked.md");
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await withLock(file2, () => {
      const old = existsSync(file2) ? readFileSync(file2, "utf8") : "";
      writeFileAtomic(
        file2,
        old +
          formatEntry({ id: newNoteId(), time: new Date().toISOString(), from: "bench", to: "all", text: `note ${i}` }),
      );
    });
  }
  const lockedMs = performance.now() - t0;
  console.log(
    `single process, ${n} sequential notes: braid ${((n / braidMs) * 1000).toFixed(0)} notes/s, locked read-modify-write ${((n / lockedMs) * 1000).toFixed(0)} notes/s (${(lockedMs / braidMs).toFixed(1)}× slower)`,
  );
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await singleProcess(500);
  console.log(`${workers} processes × ${notesEach} notes, then × ${learnEach} learnings (2-core machine, shared)`);
  const expectedNotes = workers * notesEach;
  const rows: Array<{ mode: string; rate: number }> = [];
  for (const mode of ["braid", "locked", "naive"]) {
    const { ms, dir } = await run(mode, notesEach, 0);
    const { unique, dup } = countNotes(dir);
    const rate = (expectedNotes / ms) * 1000;
    rows.push({ mode, rate });
    console.log(
      `notes  ${mode.padEnd(6)} ${rate.toFixed(0).padStart(6)} notes/s  ${(ms / 1000).toFixed(2)} s  lost ${expectedNotes - unique}  duplicated ${dup}`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
  const braidRate = rows[0]?.rate ?? 0;
  const lockedRate = rows[1]?.rate ?? 1;
  console.log(`ratio  braid / locked read-modify-write: ${(braidRate / lockedRate).toFixed(1)}×`);
  const expectedLearn = workers * learnEach;
  for (const mode of ["braid", "naive"]) {
    const { ms, dir } = await run(mode, 0, learnEach);
    const got = countLearnings(dir);
    console.log(
      `learn  ${mode.padEnd(6)} ${((expectedLearn / ms) * 1000).toFixed(0).padStart(6)} learnings/s  ${(ms / 1000).toFixed(2)} s  lost ${expectedLearn - got}`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
