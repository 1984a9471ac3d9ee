/**
 * One concurrent writer for the coordination stress test and bench: appends notes and learnings
 * straight through braid's stores (no CLI start-up per write).
 *   node coord-worker.js <notesFile> <memoryFile> <workerId> <notes> <learnings> [braid|locked|naive]
 * braid: the real stores. Baselines with the same entries: "locked" = read-modify-write of the notes
 * file under withLock (the usual locked store); "naive" = read-modify-write with no lock at all.
 * Prints "ready" before writing when BRAID_WORKER_WAIT=1 and waits for a line on stdin (a start gun).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { addLearnings } from "../../src/coord/memory.js";
import { appendNote, formatEntry, newNoteId } from "../../src/coord/notes.js";
import { withLock } from "../../src/infra/fsutil.js";

const [notesFile = "", memoryFile = "", id = "0", nNotesRaw = "50", nLearnRaw = "10", mode = "braid"] =
  process.argv.slice(2);
const nNotes = Number(nNotesRaw);
const nLearn = Number(nLearnRaw);

/** Text that tries to break the format: headings, separators, a fake entry header, NUL and ESC bytes. */
function noteText(i: number): string {
  const tricky = [
    `## heading from w${id}`,
    "---",
    `### #1 · 2026-01-01T00:00:00Z · w${id} → all`,
    `nul\u0000byte and esc\u001b[31m`,
    "> quoted",
  ];
  return `w${id}-n${i}${i % 5 === 0 ? `\n${tricky.join("\n")}` : ""}`;
}

async function startGun(): Promise<void> {
  if (process.env.BRAID_WORKER_WAIT !== "1") return;
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  process.stdin.pause();
}

function rmwNote(i: number): void {
  let text = "";
  try {
    text = readFileSync(notesFile, "utf8");
  } catch {
    /* first writer */
  }
  const entry = formatEntry({
    id: newNoteId(),
    time: new Date().toISOString(),
    from: `w${id}`,
    to: "all",
    text: noteText(i),
  });
  writeFileSync(notesFile, text + entry);
}

function naiveLearning(j: number): void {
  let text = "";
  try {
    text = readFileSync(memoryFile, "utf8");
  } catch {
    /* first writer */
  }
  writeFileSync(memoryFile, `${text}- worker ${id} learning ${j}\n`);
}

async function main(): Promise<void> {
  await startGun();
  const every = nLearn > 0 ? Math.max(1, Math.floor(nNotes / nLearn)) : Number.POSITIVE_INFINITY;
  let learned = 0;
  for (let i = 0; i < nNotes; i++) {
    if (mode === "naive") rmwNote(i);
    else if (mode === "locked") await withLock(notesFile, () => rmwNote(i), { maxRetryMs: 40 });
    else await appendNote(notesFile, { from: `w${id}`, to: "all", text: noteText(i) });
    if ((i + 1) % every === 0 && learned < nLearn) {
      if (mode === "naive") naiveLearning(learned);
      else await addLearnings(memoryFile, "stress", [{ text: `worker ${id} learning ${learned}`, from: `w${id}` }]);
      learned++;
    }
  }
  for (; learned < nLearn; learned++) {
    if (mode === "naive") naiveLearning(learned);
    else await addLearnings(memoryFile, "stress", [{ text: `worker ${id} learning ${learned}`, from: `w${id}` }]);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`worker ${id}: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
