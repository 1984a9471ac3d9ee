import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { indexChecksum, indexEntryCount } from "../../src/git/index-file.js";
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
