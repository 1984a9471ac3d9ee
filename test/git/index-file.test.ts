import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { indexChecksum, indexEntryCount, indexRootTree } from "../../src/git/index-file.js";
import { gitIn, makeRepo, makeSandbox, type Sandbox, writeFiles } from "../helpers/env.js";

describe("indexEntryCount (the tracked-file count braid new's scaling warning uses)", () => {
  let sb: Sandbox;
  before(() => {
    sb = makeSandbox();
  });
  after(() => sb.cleanup());

  it("equals `git ls-files` for committed and staged files", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 250; i++) files[`src/d${i % 7}/f${i}.txt`] = `${i}\n`;
    const repo = makeRepo(sb, "count", files);
    const lsFiles = () => gitIn(sb, repo, "ls-files").split("\n").filter(Boolean).length;
    assert.equal(indexEntryCount(join(repo, ".git", "index")), lsFiles());
    writeFiles(repo, { "staged.txt": "s\n" });
    gitIn(sb, repo, "add", "staged.txt");
    assert.equal(indexEntryCount(join(repo, ".git", "index")), 251);
    assert.equal(indexEntryCount(join(repo, ".git", "index")), lsFiles());
  });

  it("says null (ask git) for a split index or a missing file", () => {
    const repo = makeRepo(sb, "split", { "a.txt": "a\n", "b.txt": "b\n" });
    gitIn(sb, repo, "update-index", "--split-index");
    assert.equal(indexEntryCount(join(repo, ".git", "index")), null);
    assert.equal(indexEntryCount(join(sb.root, "nowhere", "index")), null);
  });

  it("indexChecksum is git's trailer: the hash of what precedes it, new after each change, null when missing", () => {
    const repo = makeRepo(sb, "sum", { "a.txt": "a\n" });
    const index = join(repo, ".git", "index");
    const sha1Before = (p: string) => {
      const b = readFileSync(p);
      return createHash("sha1")
        .update(b.subarray(0, b.length - 20))
        .digest("hex");
    };
    const first = indexChecksum(index);
    assert.equal(first, sha1Before(index));
    writeFiles(repo, { "b.txt": "b\n" });
    gitIn(sb, repo, "add", "b.txt");
    assert.notEqual(indexChecksum(index), first);
    assert.equal(indexChecksum(index), sha1Before(index));
    assert.equal(indexChecksum(join(sb.root, "nowhere", "index")), null);
  });
});

describe("indexRootTree (the radar's tree without a write-tree process)", () => {
  let sb: Sandbox;
  before(() => {
    sb = makeSandbox();
  });
  after(() => sb.cleanup());

  const files: Record<string, string> = {};
  for (let i = 0; i < 120; i++) files[`src/d${i % 5}/sub${i % 3}/file-with-a-longer-name-${i}.txt`] = `${i}\n`;
  files[`deep/${"n".repeat(200)}/${"m".repeat(180)}.txt`] = "long path\n";

  for (const version of ["2", "3", "4"]) {
    it(`index version ${version}: the root git recorded, which is write-tree's answer; null once entries change`, () => {
      const repo = makeRepo(sb, `v${version}`, files);
      const index = join(repo, ".git", "index");
      gitIn(sb, repo, "update-index", "--index-version", version);
      if (version !== "2") {
        // An entry with extended flags (two more bytes before its path).
        gitIn(sb, repo, "update-index", "--skip-worktree", "src/d1/sub1/file-with-a-longer-name-1.txt");
      }
      const tree = gitIn(sb, repo, "write-tree").trim();
      const got = indexRootTree(index);
      assert.deepEqual(got, { sum: indexChecksum(index), tree });
      writeFiles(repo, { "src/d0/sub0/file-with-a-longer-name-0.txt": "changed\n" });
      gitIn(sb, repo, "add", "src/d0/sub0/file-with-a-longer-name-0.txt");
      assert.equal(indexRootTree(index), null, "an invalidated cache-tree is not an answer");
      const next = gitIn(sb, repo, "write-tree").trim();
      assert.notEqual(next, tree);
      assert.equal(indexRootTree(index)?.tree, next);
    });
  }

  it("says null for a split index, a SHA-256 repository, a damaged file and a missing one", () => {
    const split = makeRepo(sb, "rt-split", { "a.txt": "a\n" });
    gitIn(sb, split, "update-index", "--split-index");
    gitIn(sb, split, "write-tree");
    assert.equal(indexRootTree(join(split, ".git", "index")), null);
    const sha256 = join(sb.root, "rt-sha256");
    gitIn(sb, sb.root, "init", "-q", "--object-format=sha256", sha256);
    writeFiles(sha256, { "a.txt": "a\n" });
    gitIn(sb, sha256, "add", "a.txt");
    gitIn(sb, sha256, "write-tree");
    assert.equal(indexRootTree(join(sha256, ".git", "index")), null);
    const repo = makeRepo(sb, "rt-damaged", { "a.txt": "a\n" });
    gitIn(sb, repo, "write-tree");
    const index = join(repo, ".git", "index");
    const bytes = readFileSync(index);
    writeFileSync(index, bytes.subarray(0, bytes.length - 30));
    assert.equal(indexRootTree(index), null);
    assert.equal(indexRootTree(join(sb.root, "nowhere", "index")), null);
  });

  it("says null while an intent-to-add entry keeps git from recording a root", () => {
    const repo = makeRepo(sb, "rt-ita", { "a.txt": "a\n" });
    writeFiles(repo, { "later.txt": "later\n" });
    gitIn(sb, repo, "add", "--intent-to-add", "later.txt");
    gitIn(sb, repo, "write-tree");
    assert.equal(indexRootTree(join(repo, ".git", "index")), null);
  });
});
