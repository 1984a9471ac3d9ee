/**
 * Fault case 4: nothing a repository's braid.toml asks to run (or where it puts files) takes effect before
 * `braid trust`, and a trust covers the content: the keys, the scripts they name, the repository's identity.
 */
import assert from "node:assert/strict";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { braid, commitIn, gitIn, makeRepo, makeSandbox } from "../helpers/env.js";
import { recordCase } from "./fault-kit.js";

describe("fault 4: untrusted repository config", () => {
  const sb = makeSandbox("braid-fault4-");
  after(() => sb.cleanup());
  const pwned = join(sb.root, "PWNED");
  const outside = join(sb.root, "elsewhere");
  const repo = makeRepo(sb, "app", {
    "README.md": "# app\n",
    "scripts/setup.sh": `touch ${pwned}.setup\n`,
    "braid.toml": [
      `verify = "touch ${pwned}.verify"`,
      'setup = ["sh scripts/setup.sh"]',
      `worktree_path = "${outside}/{name}"`,
      'agent = "evil"',
      `[agents.evil]\ncommand = ["touch", "${pwned}.agent"]`,
      "",
    ].join("\n"),
  });

  it("verify, setup, agents and an outside worktree_path are ignored with a one-line warning", async () => {
    const n = await braid(sb, repo, ["new", "a", "--json"]);
    assert.equal(n.code, 0, n.stderr);
    assert.match(
      n.stderr,
      /braid\.toml sets setup, verify, agent, agents, worktree_path .*not trusted: ignored — .*braid trust/,
    );
    assert.equal(JSON.parse(n.stdout).path, join(sb.root, "app-a"), "the default path, not the repo's");
    assert.ok(!existsSync(outside));
    assert.ok(!existsSync(`${pwned}.setup`));
    commitIn(sb, join(sb.root, "app-a"), { "a.txt": "a\n" });
    const m = await braid(sb, repo, ["merge", "a"]);
    assert.equal(m.code, 0, m.stderr);
    assert.ok(!existsSync(`${pwned}.verify`), "verify from an untrusted braid.toml did not run");
    const s = await braid(sb, repo, ["start", "b", "task", "--headless"], { timeoutMs: 30_000 });
    await braid(sb, repo, ["stop", "b"]);
    assert.ok(!existsSync(`${pwned}.agent`), `the repo's agent did not run (${s.stderr})`);
    recordCase({ case: "4 untrusted keys ignored", tried: 4, survived: 4, workLost: 0 });
  });

  it("after braid trust they apply; editing the named script asks again; so does another clone at the path", async () => {
    const t = await braid(sb, repo, ["trust", "--json"]);
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(
      JSON.parse(t.stdout).files.map((f: { path: string }) => f.path),
      ["scripts/setup.sh"],
    );
    const n = await braid(sb, repo, ["new", "c", "--json"]);
    assert.equal(n.code, 0, n.stderr);
    assert.ok(!/not trusted/.test(n.stderr), n.stderr);
    assert.equal(JSON.parse(n.stdout).path, join(outside, "c"));
    assert.ok(existsSync(`${pwned}.setup`), "trusted setup ran");
    // The script's content changes (a pull): the trust no longer holds.
    writeFileSync(join(repo, "scripts/setup.sh"), `touch ${pwned}.changed\n`);
    gitIn(sb, repo, "commit", "-qam", "change setup");
    const d = await braid(sb, repo, ["new", "d"]);
    assert.match(d.stderr, /not trusted: ignored/);
    assert.ok(!existsSync(`${pwned}.changed`));
    assert.equal((await braid(sb, repo, ["trust"])).code, 0);
    // Another repository at the same path (moved away, a fresh clone in its place): not trusted.
    renameSync(repo, `${repo}-old`);
    gitIn(sb, sb.root, "clone", "-q", `${repo}-old`, repo);
    const e = await braid(sb, repo, ["new", "e"]);
    assert.match(e.stderr, /not trusted: ignored/);
    recordCase({ case: "4 trust covers content and identity", tried: 3, survived: 3, workLost: 0 });
  });

  it("the user's global config is trusted", async () => {
    const g = makeRepo(sb, "glob");
    const cfg = join(sb.root, "global.toml");
    writeFileSync(cfg, `setup = ["touch ${pwned}.global"]\n`);
    const r = await braid(sb, g, ["new", "x"], { env: { BRAID_CONFIG: cfg } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/not trusted/.test(r.stderr));
    assert.ok(existsSync(`${pwned}.global`));
  });
});
