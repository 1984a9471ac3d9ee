import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BRAID_BIN, braid, commitIn, gitIn, isOneLineError } from "../helpers/env.js";
import { repoWithSessions, useSandboxEnv } from "./fixture.js";

/** The record a train killed (by a pid now dead) right after moving the base leaves: phase "advanced". */
function plantAdvancedTrain(repo: string, old: string, tip: string): string {
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
  const mergeDir = join(repo, ".git", "braid", "merge");
  mkdirSync(mergeDir, { recursive: true });
  writeFileSync(
    join(mergeDir, "train.json"),
    JSON.stringify({
      pid: dead,
      startedAt: new Date().toISOString(),
      baseRef: "main",
      oldBase: old,
      worktree: join(mergeDir, "wt-gone"),
      phase: "advanced",
      newBase: tip,
      checkouts: [repo],
    }),
  );
  return mergeDir;
}

async function waitFor(file: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("merge train faults", () => {
  const sb = useSandboxEnv();

  it("two merges at once: the second fails cleanly while the first runs; the base moves once per branch", async () => {
    const { repo, wt } = await repoWithSessions(sb, "f1", ["a"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    const marker = join(sb.root, "f1.running");
    const first = braid(sb, repo, ["merge", "a", "--verify", `touch ${marker}; sleep 8`]);
    await waitFor(marker);
    const second = await braid(sb, repo, ["merge", "a"]);
    assert.ok(isOneLineError(second), second.stderr);
    assert.match(second.stderr, /another merge train is running \(pid \d+/);
    const r1 = await first;
    assert.equal(r1.code, 0, r1.stderr);
    const again = await braid(sb, repo, ["merge", "a"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to merge/);
    assert.equal(
      gitIn(sb, repo, "log", "--format=%s", "main")
        .split("\n")
        .filter((s) => s.includes("merge a")).length,
      1,
    );
  });

  it("kill -9 mid-train leaves the base old; the next run removes the stale integration worktree and merges", async () => {
    const { repo, wt } = await repoWithSessions(sb, "f2", ["a"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    const old = gitIn(sb, repo, "rev-parse", "main");
    const marker = join(sb.root, "f2.running");
    const child = spawn(process.execPath, [BRAID_BIN, "merge", "a", "--verify", `touch ${marker}; sleep 60`], {
      cwd: repo,
      env: sb.env,
      stdio: "ignore",
      detached: true,
    });
    await waitFor(marker);
    process.kill(-(child.pid as number), "SIGKILL"); // braid and its verify shell
    await new Promise((r) => child.on("exit", r));
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old, "base untouched by the killed train");
    const mergeDir = join(repo, ".git", "braid", "merge");
    const stale = readdirSync(mergeDir).filter((e) => e.startsWith("wt-"));
    assert.equal(stale.length, 1);

    const r = await braid(sb, repo, ["merge", "a", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.recovered.some((n: { action: string }) => n.action === "removed-stale"));
    assert.equal(j.moved, true);
    assert.deepEqual(
      readdirSync(mergeDir).filter((e) => e.startsWith("wt-")),
      [],
    );
    assert.ok(!gitIn(sb, repo, "worktree", "list").includes("wt-"));
  });

  it("a train killed after moving the base is finished by the next run (checkout fast-forwarded)", async () => {
    const { repo, wt } = await repoWithSessions(sb, "f3", ["a"]);
    const old = gitIn(sb, repo, "rev-parse", "main");
    const tip = commitIn(sb, wt("a"), { "a.txt": "a\n" });
    // The state a kill -9 right after `update-ref` leaves: base moved, record says "advanced", checkout stale.
    gitIn(sb, repo, "update-ref", "refs/heads/main", tip, old);
    const mergeDir = plantAdvancedTrain(repo, old, tip);
    assert.notEqual(gitIn(sb, repo, "status", "--porcelain"), "", "checkout looks reverted before recovery");
    const r = await braid(sb, repo, ["merge", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(
      j.recovered.some(
        (n: { action: string; detail: string }) => n.action === "finished-fast-forward" && n.detail === "updated",
      ),
    );
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");
    assert.ok(existsSync(join(repo, "a.txt")));
    assert.ok(!existsSync(join(mergeDir, "train.json")));
  });

  it("a train killed after moving the base, over a checkout whose edits block it: the base is put back", async () => {
    const { repo, wt } = await repoWithSessions(sb, "f3b", ["a"]);
    const old = gitIn(sb, repo, "rev-parse", "main");
    const tip = commitIn(sb, wt("a"), { "README.md": "a's readme\n" });
    writeFileSync(join(repo, "README.md"), "the user's readme\n"); // overlaps what the train merged
    gitIn(sb, repo, "update-ref", "refs/heads/main", tip, old);
    plantAdvancedTrain(repo, old, tip);
    const r = await braid(sb, repo, ["merge", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(
      j.recovered.some((n: { detail?: string }) => n.detail === "base put back"),
      r.stdout,
    );
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), old);
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), " M README.md", "only the user's edit, index = HEAD");
    assert.equal(readFileSync(join(repo, "README.md"), "utf8"), "the user's readme\n");
  });

  it("--wait: a second train waits for the first (saying for whom) and merges after it", async () => {
    const { repo, wt } = await repoWithSessions(sb, "f4", ["a", "b"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    const marker = join(sb.root, "f4.running");
    let firstDone = 0;
    const first = braid(sb, repo, ["merge", "a", "--verify", `touch ${marker}; sleep 3`]).then((r) => {
      firstDone = Date.now();
      return r;
    });
    await waitFor(marker);
    // `--wait b`: a word that is not a number is a session name, and the default wait applies.
    const second = await braid(sb, repo, ["merge", "--wait", "b", "--json"]);
    const secondDone = Date.now();
    const r1 = await first;
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(firstDone > 0 && secondDone >= firstDone, "the second train finished after the first");
    const lines = second.stderr.trim().split("\n");
    assert.equal(lines.length, 1, second.stderr);
    assert.match(
      lines[0] ?? "",
      /^waiting for the merge train of pid \d+ \(a into main\), running since \S+ — up to 600 s$/,
    );
    const j = JSON.parse(second.stdout);
    assert.equal(j.moved, true);
    assert.deepEqual(
      j.merged.map((m: { name: string }) => m.name),
      ["b"],
    );
    assert.deepEqual(gitIn(sb, repo, "log", "--format=%s", "--first-parent", "-2", "main").split("\n"), [
      "braid: merge b (feature/b)",
      "braid: merge a (feature/a)",
    ]);
    assert.ok(!existsSync(join(repo, ".git", "braid", "merge", "train.owner")), "the owner file goes with the lock");
  });

  it("--wait SECONDS gives up with one line when the other train outlasts it; bad values are usage errors", async () => {
    const { repo, wt } = await repoWithSessions(sb, "f5", ["a", "b"]);
    commitIn(sb, wt("a"), { "a.txt": "a\n" });
    commitIn(sb, wt("b"), { "b.txt": "b\n" });
    const marker = join(sb.root, "f5.running");
    const first = braid(sb, repo, ["merge", "a", "--verify", `touch ${marker}; sleep 6`]);
    await waitFor(marker);
    const t0 = Date.now();
    const second = await braid(sb, repo, ["merge", "b", "--wait", "1"]);
    assert.ok(Date.now() - t0 >= 1000, "it did wait");
    assert.equal(second.code, 1);
    const lines = second.stderr.trim().split("\n");
    assert.equal(lines.length, 2, second.stderr);
    assert.match(lines[0] ?? "", /^waiting for the merge train of pid \d+/);
    assert.match(
      lines[1] ?? "",
      /^braid: another merge train is still running after waiting 1 s \(pid \d+, since .*\) — .*--wait/,
    );
    const zero = await braid(sb, repo, ["merge", "b", "--wait", "0"]);
    assert.ok(isOneLineError(zero), zero.stderr);
    assert.match(zero.stderr, /--wait needs a number of seconds above 0/);
    assert.equal(zero.code, 2, "bad usage");
    assert.equal((await first).code, 0);
    assert.equal(gitIn(sb, repo, "log", "--format=%s", "-1", "main"), "braid: merge a (feature/a)", "b was not merged");
  });
});
