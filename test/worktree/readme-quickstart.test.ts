/** The README's quick start agrees with `braid recommend` on the repository it describes. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { braid, makeRepo, makeSandbox, REPO_ROOT } from "../helpers/env.js";

test("README quick start: the recommend output it shows is what braid prints, and its sessions fit the advice", async () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const quick = /## Quick start\n+```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const repoLine = /^cd \S+\s+# a repo with (\d+) tracked files/m.exec(quick);
  assert.ok(repoLine, "the quick start says how big its repository is");
  const shown = /^braid recommend.*\n#\s+(.+)$/m.exec(quick)?.[1]?.trim();
  assert.ok(shown, "the quick start shows recommend's answer");
  const starts = quick.split("\n").filter((l) => l.startsWith("braid start "));
  const implementation = starts.filter((l) => !/--type (research|review)/.test(l)).length;

  const sb = makeSandbox();
  try {
    const n = Number(repoLine[1]);
    const files = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`src/f${i}.ts`, `export const x${i} = ${i};\n`]),
    );
    const repo = makeRepo(sb, "myapp", files);
    const text = await braid(sb, repo, ["recommend"]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.split("\n")[0], shown, "README shows recommend's first line as printed");
    const j = JSON.parse((await braid(sb, repo, ["recommend", "--json"])).stdout);
    assert.ok(
      implementation >= j.worktrees.min && implementation <= j.worktrees.max,
      `${implementation} implementation sessions against the advice ${j.advice}`,
    );
  } finally {
    sb.cleanup();
  }
});
