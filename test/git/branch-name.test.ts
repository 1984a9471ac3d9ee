import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { isValidBranchName } from "../../src/git/refs.js";
import { makeRepo, makeSandbox } from "../helpers/env.js";

// Names on both sides of every rule in git-check-ref-format(1), plus the --branch extras.
const CORPUS = [
  "feature/x",
  "a",
  "a-b_c.d",
  "dir/sub/leaf",
  "x@y",
  "@",
  "@{-1}",
  "a@{b",
  "HEAD",
  "head",
  "HEAD/x",
  "-x",
  "x-",
  "a b",
  "a\tb",
  "a\u0001b",
  "a\u007fb",
  "a~1",
  "a^b",
  "a:b",
  "a?b",
  "a*b",
  "a[b",
  "a]b",
  "a\\b",
  "a..b",
  "a.b",
  ".a",
  "a/.b",
  "a.",
  "a/b.",
  "a.lock",
  "a.lock/b",
  "a/b.lock",
  "a.locked",
  "/a",
  "a/",
  "a//b",
  "a/./b",
  "naïve",
  "日本",
  "a{b}",
  "a!b",
  "a#b",
  "'quoted'",
  '"dq"',
  "",
];

test("isValidBranchName agrees with `git check-ref-format --branch` on every rule", () => {
  const sb = makeSandbox();
  try {
    const repo = makeRepo(sb);
    const disagree: string[] = [];
    for (const name of CORPUS) {
      const r = spawnSync("git", ["check-ref-format", "--branch", name], { cwd: repo, env: sb.env });
      const gitSays = r.status === 0;
      if (isValidBranchName(name) !== gitSays) disagree.push(`${JSON.stringify(name)}: git says ${gitSays}`);
    }
    assert.deepEqual(disagree, []);
  } finally {
    sb.cleanup();
  }
});
