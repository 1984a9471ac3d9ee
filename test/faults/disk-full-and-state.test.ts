/**
 * Fault cases 2 and 9: writes on a full disk (a small tmpfs) keep the old file and fail with one line
 * naming the disk; the previous registry is kept as state.json.bak for `doctor --fix`; a registry with
 * wrongly typed fields is a one-line error, not a crash.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeFileAtomic } from "../../src/infra/fsutil.js";
import { braid, gitIn, isOneLineError, makeRepo, makeSandbox } from "../helpers/env.js";
import { fillDisk, mountTmpfs, recordCase, umount } from "./fault-kit.js";

describe("fault 2: full disk", () => {
  const sb = makeSandbox("braid-fault2-");
  const disk = join(sb.root, "disk");
  const mounted = mountTmpfs(disk, 2048);
  after(() => {
    if (mounted) umount(disk);
    sb.cleanup();
  });

  it("writeFileAtomic on a full disk keeps the old file, leaves no temp file, names the disk", {
    skip: !mounted && "needs root for a tmpfs",
  }, () => {
    const f = join(disk, "x.json");
    writeFileAtomic(f, "old\n");
    fillDisk(disk, 4096);
    try {
      assert.throws(
        () => writeFileAtomic(f, Buffer.alloc(64 * 1024, 97)),
        (e: Error) => /no space left on device writing .*x\.json/.test(e.message),
      );
    } finally {
      writeFileSync(join(disk, "filler.bin"), "");
    }
    assert.equal(readFileSync(f, "utf8"), "old\n");
    assert.deepEqual(
      readdirSync(disk).filter((n) => n.endsWith(".tmp")),
      [],
    );
    recordCase({ case: "2 atomic write on a full disk", tried: 1, survived: 1, workLost: 0 });
  });

  it("braid learn and config set on a full disk fail with one line; memory and braid.toml stay whole", {
    skip: !mounted && "needs root for a tmpfs",
  }, async () => {
    writeFileSync(join(disk, "filler.bin"), "");
    const repo = makeRepo(sb, "app");
    const wf = join(disk, "wf");
    const env = { BRAID_WORKFLOWS_DIR: wf };
    assert.equal((await braid(sb, repo, ["learn", "first fact"], { env })).code, 0);
    const memFile = join(wf, "memory", "app.md");
    // 600 learnings (~30 KB): each fold rewrites the whole file, which no longer fits.
    const lines = Array.from({ length: 600 }, (_, i) => `- learning number ${i} with some words to make it longer`);
    writeFileSync(memFile, `# Project memory\n\n## Gotchas\n\n${lines.join("\n")}\n`);
    const before = readFileSync(memFile, "utf8");
    try {
      fillDisk(disk, 8192);
      const r = await braid(sb, repo, ["learn", "one more"], { env });
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /no space left on device/);
      assert.equal(readFileSync(memFile, "utf8"), before, "all 600 learnings kept");
    } finally {
      writeFileSync(join(disk, "filler.bin"), "");
    }
    const again = await braid(sb, repo, ["learn", "one more"], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(readFileSync(memFile, "utf8"), /one more/);
    recordCase({ case: "2 learn on a full disk", tried: 1, survived: 1, workLost: 0 });
  });

  it("a repo on a full disk: rm --force fails with one line and state.json stays whole", {
    skip: !mounted && "needs root for a tmpfs",
  }, async () => {
    writeFileSync(join(disk, "filler.bin"), "");
    const repo = makeRepo(sb, "disk/repo");
    assert.equal((await braid(sb, repo, ["new", "a", "--no-bootstrap", "--path", join(disk, "repo-a")])).code, 0);
    writeFileSync(join(disk, "repo-a", "work.txt"), "uncommitted\n");
    const state = join(repo, ".git", "braid", "state.json");
    const before = readFileSync(state, "utf8");
    fillDisk(disk, 0);
    let r: Awaited<ReturnType<typeof braid>>;
    try {
      r = await braid(sb, repo, ["rm", "a", "--force"]);
    } finally {
      writeFileSync(join(disk, "filler.bin"), "");
    }
    assert.notEqual(r.code, 0);
    assert.ok(!/internal error/.test(r.stderr), r.stderr);
    const after = readFileSync(state, "utf8");
    JSON.parse(after);
    // Either it failed before touching the registry, or it got through: never a truncated file.
    assert.ok(after === before || JSON.parse(after).sessions.length === 0);
    recordCase({ case: "2 rm --force on a full disk", tried: 1, survived: 1, workLost: 0 });
  });
});

describe("fault 2 + 6: a full disk during the copy of `new`", () => {
  const sb = makeSandbox("braid-fault2c-");
  const disk = join(sb.root, "disk");
  const mounted = mountTmpfs(disk, 4096);
  after(() => {
    if (mounted) umount(disk);
    sb.cleanup();
  });

  it("one line naming the disk; no half copy in place; a rerun after freeing space finishes", {
    skip: !mounted && "needs root for a tmpfs",
  }, async () => {
    const repo = makeRepo(sb, "disk/app", {
      "README.md": "# app\n",
      ".gitignore": "big/\n",
      "braid.toml": 'copy = ["big"]\n',
    });
    mkdirSync(join(repo, "big"));
    for (let i = 0; i < 8; i++) writeFileSync(join(repo, "big", `f${i}.bin`), Buffer.alloc(160 * 1024, i));
    fillDisk(disk, 600 * 1024);
    let r: Awaited<ReturnType<typeof braid>>;
    try {
      r = await braid(sb, repo, ["new", "c"]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /no space left on device — free space, then run `braid new c` again/);
      assert.ok(!existsSync(join(disk, "app-c", "big")), "no half copy under the real name");
    } finally {
      writeFileSync(join(disk, "filler.bin"), "");
    }
    const again = await braid(sb, repo, ["new", "c"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readdirSync(join(disk, "app-c", "big")).length, 8);
    recordCase({ case: "2+6 full disk during the copy of new", tried: 1, survived: 1, workLost: 0 });
  });
});

describe("fault 2 + 9: the registry", () => {
  const sb = makeSandbox("braid-fault9-");
  after(() => sb.cleanup());
  const repo = makeRepo(sb, "app");
  const state = join(repo, ".git", "braid", "state.json");

  it("doctor --fix restores type, task and branch ownership from state.json.bak", async () => {
    assert.equal((await braid(sb, repo, ["new", "r", "--no-bootstrap"])).code, 0);
    assert.equal((await braid(sb, repo, ["new", "i", "--no-bootstrap"])).code, 0);
    const data = JSON.parse(readFileSync(state, "utf8"));
    data.sessions[0].type = "research";
    data.sessions[0].task = "How do we cache?";
    writeFileSync(state, JSON.stringify(data));
    // One more write through braid: the .bak holds what it wrote, the edited records and k's.
    assert.equal((await braid(sb, repo, ["new", "k", "--no-bootstrap"])).code, 0);
    assert.ok(existsSync(`${state}.bak`));
    gitIn(sb, repo, "worktree", "add", "-q", "-b", "g", join(sb.root, "app-g")); // not in the registry
    writeFileSync(state, '{"version":1,"nextOrder":4,"sessions":[{"name":'); // torn
    const st = await braid(sb, repo, ["status"]);
    assert.ok(isOneLineError(st), st.stderr);
    const fix = await braid(sb, repo, ["doctor", "--fix", "--json"]);
    assert.ok(!/internal error/.test(fix.stderr), fix.stderr);
    const restored = JSON.parse(readFileSync(state, "utf8")).sessions as Array<Record<string, unknown>>;
    const r = restored.find((s) => s.name === "r");
    assert.equal(r?.type, "research");
    assert.equal(r?.task, "How do we cache?");
    assert.equal(r?.createdBranch, true);
    // k came with the last write: restored from the backup (a record rebuilt from git would not own its branch)
    assert.equal(restored.find((s) => s.name === "k")?.createdBranch, true, "the newest write is restored");
    assert.ok(
      restored.some((s) => s.name === "g"),
      "a worktree the backup lacks is added from git",
    );
    recordCase({ case: "2 registry restored from state.json.bak", tried: 1, survived: 1, workLost: 0 });
  });

  it("wrongly typed fields: one-line error naming the field and the fix, never a TypeError", async () => {
    const good = readFileSync(state, "utf8");
    const data = JSON.parse(good);
    data.sessions[0].branch = 42;
    writeFileSync(state, JSON.stringify(data));
    for (const cmd of [["status"], ["ls"], ["status", "--json"]]) {
      const r = await braid(sb, repo, cmd);
      assert.ok(isOneLineError(r), `${cmd.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /"branch" is a number, expected a string/);
      assert.match(r.stderr, /braid doctor --fix/);
      assert.ok(!/is not a function/.test(r.stderr));
    }
    data.sessions[0].branch = "feature/r";
    data.sessions[0].owns = "src/**";
    writeFileSync(state, JSON.stringify(data));
    assert.match((await braid(sb, repo, ["status"])).stderr, /"owns" must be a list of strings/);
    writeFileSync(state, good);
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");
    recordCase({ case: "9 wrongly typed state.json", tried: 4, survived: 4, workLost: 0 });
  });

  it("a registry from a newer braid: says upgrade, and doctor --fix does not set it aside", async () => {
    const good = readFileSync(state, "utf8");
    const newer = JSON.stringify({ ...JSON.parse(good), version: 2 });
    writeFileSync(state, newer);
    try {
      const st = await braid(sb, repo, ["status"]);
      assert.ok(isOneLineError(st), st.stderr);
      assert.match(st.stderr, /written by a newer braid \(state version 2; .*upgrade braid/);
      const fix = await braid(sb, repo, ["doctor", "--fix", "--json"]);
      const f = JSON.parse(fix.stdout).findings.find((x: { kind: string }) => x.kind === "corrupt-state");
      assert.deepEqual([f?.fixable, f?.fixed], [false, false]);
      assert.equal(readFileSync(state, "utf8"), newer, "the newer registry is left as it was");
    } finally {
      writeFileSync(state, good);
    }
  });
});
