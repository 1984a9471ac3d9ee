/**
 * Fault case 8: a lock is taken over only from a provably dead owner, atomically, and a wait says for
 * whom. Also the merge train's lock and a lock path that is a plain file.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { lockHolder, withLock } from "../../src/infra/fsutil.js";
import { processStart } from "../../src/infra/process.js";
import { braid, isOneLineError, makeRepo, makeSandbox, REPO_ROOT } from "../helpers/env.js";
import { recordCase } from "./fault-kit.js";

const WORKER = join(REPO_ROOT, "dist", "test", "helpers", "lock-worker.js");

function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout,
  );
}

function plantOwner(file: string, n: number, pid: number, start: string | null): void {
  mkdirSync(`${file}.lock`, { recursive: true });
  writeFileSync(
    join(`${file}.lock`, String(n)),
    JSON.stringify({ pid, start, host: hostname(), since: new Date().toISOString(), cmd: "braid test" }),
  );
}

function run(file: string, rounds: number): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [WORKER, file, String(rounds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout.on("data", (d) => {
      out += d;
    });
    c.on("close", () => resolve(out));
  });
}

describe("fault 8: locks", () => {
  const sb = makeSandbox("braid-fault8-");
  const sleepers: ChildProcess[] = [];
  after(() => {
    for (const s of sleepers) s.kill("SIGKILL");
    sb.cleanup();
  });

  it("8 processes racing to take over a dead owner's lock: exactly one holder at a time, nothing lost", async () => {
    const file = join(sb.root, "counter");
    writeFileSync(file, "0");
    plantOwner(file, 7, deadPid(), null);
    const outs = await Promise.all(Array.from({ length: 8 }, () => run(file, 25)));
    const overlaps = outs.reduce((a, o) => a + Number(o || 0), 0);
    const count = Number(readFileSync(file, "utf8"));
    recordCase({
      case: "8 takeover race (8 procs x 25 increments)",
      tried: 1,
      survived: count === 200 && overlaps === 0 ? 1 : 0,
      workLost: 200 - count,
    });
    assert.equal(overlaps, 0, "never two holders at once");
    assert.equal(count, 200);
    assert.equal(lockHolder(file), null);
  });

  it("a living owner is never taken over, however old; the timeout names its pid", async () => {
    const file = join(sb.root, "held");
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    sleepers.push(sleeper);
    plantOwner(file, 3, sleeper.pid as number, processStart(sleeper.pid as number));
    await assert.rejects(
      withLock(file, () => undefined, { timeoutMs: 1500 }),
      (e: Error & { code?: string }) => e.code === "ELOCKED" && e.message.includes(`pid ${sleeper.pid}`),
    );
    // A recycled pid (same number, another start time) is provably not the owner.
    plantOwner(file, 4, sleeper.pid as number, "1");
    assert.equal(await withLock(file, () => "taken", { timeoutMs: 1500 }), "taken");
    recordCase({ case: "8 living owner kept, reused pid taken over", tried: 2, survived: 2, workLost: 0 });
  });

  it("a wait longer than a second says for what and for whom", async () => {
    const repo = makeRepo(sb, "app");
    const wf = join(sb.root, "wf");
    const memFile = join(wf, "memory", "app.md");
    mkdirSync(join(wf, "memory"), { recursive: true });
    const sleeper = spawn("sleep", ["3"], { stdio: "ignore" });
    sleepers.push(sleeper);
    plantOwner(memFile, 1, sleeper.pid as number, processStart(sleeper.pid as number));
    const r = await braid(sb, repo, ["learn", "waited for it"], { env: { BRAID_WORKFLOWS_DIR: wf } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`waiting for the lock on .* held by pid ${sleeper.pid}`));
  });

  it("the merge train lock: a live holder is named by pid; a dead one is taken over at once", async () => {
    const repo = makeRepo(sb, "train");
    assert.equal((await braid(sb, repo, ["new", "a", "--no-bootstrap"])).code, 0);
    const lock = join(repo, ".git", "braid", "merge", "train");
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    sleepers.push(sleeper);
    plantOwner(lock, 1, sleeper.pid as number, processStart(sleeper.pid as number));
    const busy = await braid(sb, repo, ["merge", "a"]);
    assert.ok(isOneLineError(busy), busy.stderr);
    assert.match(busy.stderr, new RegExp(`another merge train is running \\(pid ${sleeper.pid}`));
    plantOwner(lock, 2, deadPid(), null);
    const t0 = Date.now();
    const ok = await braid(sb, repo, ["merge", "a"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(Date.now() - t0 < 15_000, "no stale-age wait");
    recordCase({ case: "8 train lock: live named, dead taken over", tried: 2, survived: 2, workLost: 0 });
  });

  it("an owner entry that cannot be read: the timeout names the lock to remove, never `kill 0`", async () => {
    const file = join(sb.root, "garbled");
    mkdirSync(`${file}.lock`, { recursive: true });
    writeFileSync(join(`${file}.lock`, "5"), "not json");
    await assert.rejects(
      withLock(file, () => undefined, { timeoutMs: 500 }),
      (e: Error & { code?: string; fix?: string }) =>
        e.code === "ELOCKED" &&
        !/kill 0|pid 0/.test(`${e.message} ${e.fix ?? ""}`) &&
        (e.fix ?? "").includes(`rm -r ${file}.lock`),
    );
  });

  it("doctor finds an unreadable owner entry in braid's state lock and --fix removes it; commands run again", async () => {
    const repo = makeRepo(sb, "garbledlock");
    assert.equal((await braid(sb, repo, ["new", "a", "--no-bootstrap"])).code, 0);
    const lockDir = join(repo, ".git", "braid", "state.json.lock");
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(join(lockDir, "999"), "garbage");
    const found = await braid(sb, repo, ["doctor", "--json"]);
    assert.equal(found.code, 1, found.stderr);
    const f = JSON.parse(found.stdout).findings.find((x: { kind: string }) => x.kind === "unreadable-lock");
    assert.deepEqual([f?.where, f?.fixable], [lockDir, true]);
    const fixed = await braid(sb, repo, ["doctor", "--fix", "--json"]);
    assert.ok(
      JSON.parse(fixed.stdout).findings.some(
        (x: { kind: string; fixed: boolean }) => x.kind === "unreadable-lock" && x.fixed,
      ),
    );
    const t0 = Date.now();
    const r = await braid(sb, repo, ["new", "b", "--no-bootstrap"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 20_000, "no wait for the lock's timeout");
  });

  it("a lock path that is a plain file: one line with the fix", async () => {
    const repo = makeRepo(sb, "filelock");
    mkdirSync(join(repo, ".git", "braid"), { recursive: true });
    writeFileSync(join(repo, ".git", "braid", "state.json.lock"), "junk");
    const r = await braid(sb, repo, ["new", "a", "--no-bootstrap"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /is a file, not braid's lock directory — remove it/);
  });
});
