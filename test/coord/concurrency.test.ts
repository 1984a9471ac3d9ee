/**
 * Many writers at once: 64 real processes × (50 notes + 10 learnings) lose nothing, duplicate nothing,
 * interleave no partial lines; writers killed with SIGKILL mid-write leave readable files and no lock
 * held for good; and the same through the real CLI.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parseMemory } from "../../src/coord/memory.js";
import { parseNotes } from "../../src/coord/notes.js";
import { lockHolder } from "../../src/infra/fsutil.js";
import { braid, makeRepo, makeSandbox, REPO_ROOT, type Sandbox } from "../helpers/env.js";

const WORKER = join(REPO_ROOT, "dist", "test", "helpers", "coord-worker.js");

function runWorker(args: string[]): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const done = new Promise<number>((resolve) =>
    child.on("close", (code) => {
      if (code !== 0 && code !== null) process.stderr.write(err);
      resolve(code ?? -1);
    }),
  );
  return { child, done };
}

/** The text worker `id` gives its note `i` (mirrors coord-worker.ts). */
function expectedNote(id: number, i: number): string {
  if (i % 5 !== 0) return `w${id}-n${i}`;
  return [
    `w${id}-n${i}`,
    `## heading from w${id}`,
    "---",
    `### #1 · 2026-01-01T00:00:00Z · w${id} → all`,
    "nul\u0000byte and esc\u001b[31m",
    "> quoted",
  ].join("\n");
}

/** Every line of a notes file is a comment, blank, an entry header or a "> " body line: nothing torn. */
function assertWholeLines(text: string): void {
  for (const line of text.split("\n")) {
    assert.ok(
      line === "" || line === ">" || line.startsWith("> ") || line.startsWith("### #") || line.startsWith("<!--"),
      `partial or foreign line in notes file: ${JSON.stringify(line.slice(0, 80))}`,
    );
  }
}

describe("coordination under concurrency", () => {
  let sb: Sandbox;
  before(() => {
    sb = makeSandbox();
  });
  after(() => sb.cleanup());

  it("64 processes × (50 notes + 10 learnings): nothing lost, nothing duplicated, files parse", async () => {
    const dir = join(sb.root, "stress");
    mkdirSync(dir);
    const notesFile = join(dir, "notes.md");
    const memoryFile = join(dir, "memory.md");
    const started = Date.now();
    const workers = Array.from({ length: 64 }, (_, id) =>
      runWorker([notesFile, memoryFile, String(id), "50", "10", "braid"]),
    );
    const codes = await Promise.all(workers.map((w) => w.done));
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(
      codes.filter((c) => c !== 0),
      [],
      "every worker exits 0",
    );

    const text = readFileSync(notesFile, "utf8");
    assertWholeLines(text);
    const parsed = parseNotes(text);
    assert.equal(parsed.strayLines, 0);
    assert.equal(parsed.notes.length, 64 * 50, "no note lost or duplicated");
    assert.equal(new Set(parsed.notes.map((n) => n.id)).size, 64 * 50, "ids are unique");
    const got = new Map(parsed.notes.map((n) => [`${n.from}\n${n.text}`, n]));
    for (let id = 0; id < 64; id++) {
      for (let i = 0; i < 50; i++) assert.ok(got.has(`w${id}\n${expectedNote(id, i)}`), `note ${i} of w${id} intact`);
    }

    const memory = parseMemory(readFileSync(memoryFile, "utf8"));
    const items = memory.sections.flatMap((s) => s.items.map((i) => i.text));
    assert.equal(items.length, 64 * 10, "no learning lost or duplicated");
    assert.equal(new Set(items).size, 64 * 10);
    for (let id = 0; id < 64; id++) {
      for (let j = 0; j < 10; j++) assert.ok(items.includes(`worker ${id} learning ${j}`));
    }
    assert.equal(memory.sections.filter((s) => s.name === "Learnings").length, 1, "one section, not one per writer");
    const pending = join(dir, ".memory.pending");
    assert.deepEqual(existsSync(pending) ? readdirSync(pending) : [], [], "nothing left pending");
    assert.equal(lockHolder(memoryFile), null, "lock released");
    process.stdout.write(`# 64 writers: ${64 * 50} notes + ${64 * 10} learnings in ${seconds.toFixed(1)} s\n`);
  });

  it("writers killed with SIGKILL mid-stream leave readable files and no lock held for good", async () => {
    const dir = join(sb.root, "killed");
    mkdirSync(dir);
    const notesFile = join(dir, "notes.md");
    const memoryFile = join(dir, "memory.md");
    const workers = Array.from({ length: 8 }, (_, id) =>
      runWorker([notesFile, memoryFile, String(id), "100000", "100000", "braid"]),
    );
    // Let them get going, then kill them wherever they are (quite possibly holding the memory lock).
    for (let i = 0; i < 100 && !(existsSync(memoryFile) && existsSync(notesFile)); i++) await sleep(50);
    await sleep(300);
    for (const w of workers) w.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.done));

    const text = readFileSync(notesFile, "utf8");
    const parsed = parseNotes(text);
    assert.ok(parsed.notes.length > 0, "some notes were written before the kill");
    for (const n of parsed.notes) assert.match(n.text.split("\n")[0] ?? "", /^w\d+-n\d+$/, "complete entries only");
    parseMemory(readFileSync(memoryFile, "utf8"));

    // A new writer gets through: a lock left by a killed holder is taken over at once (its pid is gone).
    const t0 = Date.now();
    const after = runWorker([notesFile, memoryFile, "99", "1", "1", "braid"]);
    assert.equal(await after.done, 0);
    assert.ok(Date.now() - t0 < 45_000, `writer after the kill finished in ${Date.now() - t0} ms`);
    const final = parseNotes(readFileSync(notesFile, "utf8"));
    assert.ok(final.notes.some((n) => n.from === "w99" && n.text.startsWith("w99-n0\n")));
    const items = parseMemory(readFileSync(memoryFile, "utf8")).sections.flatMap((s) => s.items.map((i) => i.text));
    assert.ok(items.includes("worker 99 learning 0"));
  });

  it("a torn entry and a stale lock from a crashed writer do not break the CLI", async () => {
    const repo = makeRepo(sb, "torn");
    const wf = join(sb.root, "wf-torn");
    const env = { BRAID_WORKFLOWS_DIR: wf };
    const notesFile = join(wf, "notes", "torn.md");
    const memoryFile = join(wf, "memory", "torn.md");
    mkdirSync(join(wf, "notes"), { recursive: true });
    mkdirSync(join(wf, "memory"), { recursive: true });
    assert.equal((await braid(sb, repo, ["note", "before the crash"], { env })).code, 0);
    // What a writer killed inside write(2) leaves: half an entry, no closing blank line, no newline.
    writeFileSync(
      notesFile,
      `${readFileSync(notesFile, "utf8")}\n### #zzzz-abcdef · 2026-11-25T00:00:00.000Z · user → all\n> half a no`,
      {
        flag: "w",
      },
    );
    // ...and a memory lock whose holder died a minute ago.
    writeFileSync(memoryFile, "# Project memory\n\n## Gotchas\n\n- old one\n");
    mkdirSync(`${memoryFile}.lock`);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const owner = {
      pid: Number(dead.stdout),
      start: null,
      host: hostname(),
      since: new Date(Date.now() - 60_000).toISOString(),
    };
    writeFileSync(join(`${memoryFile}.lock`, "1"), JSON.stringify(owner));

    assert.equal((await braid(sb, repo, ["note", "after the crash"], { env })).code, 0);
    const r = await braid(sb, repo, ["notes", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).notes.map((n: { text: string }) => n.text),
      ["before the crash", "after the crash"],
      "the torn entry is skipped, the next one is whole",
    );
    const l = await braid(sb, repo, ["learn", "new one", "--section", "Gotchas"], { env, timeoutMs: 60_000 });
    assert.equal(l.code, 0, l.stderr);
    const items = parseMemory(readFileSync(memoryFile, "utf8")).sections.flatMap((s) => s.items.map((i) => i.text));
    assert.deepEqual(items, ["old one", "new one"]);
    assert.equal(lockHolder(memoryFile), null, "stale lock taken over and released");
  });

  it("real CLI: 12 `braid note` and 6 `braid learn` at once all land", async () => {
    const repo = makeRepo(sb, "cli");
    const env = { BRAID_WORKFLOWS_DIR: join(sb.root, "wf-cli") };
    const runs = [
      ...Array.from({ length: 12 }, (_, i) =>
        braid(sb, repo, ["note", `cli note ${i}`, "--from", `p${i}`], { env, timeoutMs: 180_000 }),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        braid(sb, repo, ["learn", `cli learning ${i}`], { env, timeoutMs: 180_000 }),
      ),
    ];
    const results = await Promise.all(runs);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const notes = JSON.parse((await braid(sb, repo, ["notes", "--json"], { env })).stdout).notes as Array<{
      text: string;
    }>;
    assert.deepEqual(notes.map((n) => n.text).sort(), Array.from({ length: 12 }, (_, i) => `cli note ${i}`).sort());
    const mem = JSON.parse((await braid(sb, repo, ["memory", "--json"], { env })).stdout);
    const items = mem.sections.flatMap((s: { items: Array<{ text: string }> }) => s.items.map((i) => i.text));
    assert.deepEqual(items.sort(), Array.from({ length: 6 }, (_, i) => `cli learning ${i}`).sort());
  });
});
