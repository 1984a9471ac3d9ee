// Completion scripts in a real bash: source what `braid completion bash` prints, then ask for completions the
// way bash does (COMP_WORDS/COMP_CWORD, then the registered function), with a real repo and real sessions.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { BRAID_BIN, braid } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid completion", () => {
  const { sb, repo } = useRepo();
  let script = "";
  let pathEnv = "";

  before(async () => {
    // a `braid` on PATH, as after `npm link`: the scripts call it for names
    const bin = join(sb.root, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "braid"),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BRAID_BIN)} "$@"\n`,
    );
    chmodSync(join(bin, "braid"), 0o755);
    pathEnv = `${bin}:${process.env.PATH}`;
    for (const name of ["api", "auth"]) assert.equal((await braid(sb, repo, ["new", name, "--no-bootstrap"])).code, 0);
    const r = await braid(sb, repo, ["completion", "bash"]);
    assert.equal(r.code, 0, r.stderr);
    script = join(sb.root, "braid.bash");
    writeFileSync(script, r.stdout);
  });

  /** What bash would offer for the command line `line` (the cursor at its end). */
  function complete(line: string): string[] {
    const words = line.split(" ");
    const arr = words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
    const prog = `source ${JSON.stringify(script)}\nCOMP_WORDS=(${arr})\nCOMP_CWORD=${words.length - 1}\nCOMP_LINE=${JSON.stringify(line)}\n_braid\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", prog], {
      cwd: repo,
      env: { ...sb.env, PATH: pathEnv },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter(Boolean).sort();
  }

  it("completes commands, subcommands and flags from the program itself", () => {
    assert.deepEqual(complete("braid st"), ["start", "status", "stop"]);
    assert.ok(complete("braid ").includes("serve"));
    assert.ok(!complete("braid ").some((w) => w.startsWith("_")), "internal commands stay hidden");
    assert.deepEqual(complete("braid merge --st"), ["--strategy"]);
    assert.deepEqual(complete("braid serve --"), ["--bind", "--help", "--port"]);
    assert.deepEqual(complete("braid config "), ["get", "list", "set"]);
    assert.ok(complete("braid config set --").includes("--global"));
    assert.deepEqual(complete("braid completion "), ["bash", "fish", "zsh"]);
  });

  it("completes flag values: fixed choices, agents, recipients, config keys", () => {
    assert.deepEqual(complete("braid merge --strategy s"), ["squash"]);
    assert.deepEqual(complete("braid start x --type r"), ["research", "review"]);
    assert.deepEqual(complete("braid start x --agent c"), ["claude", "codex"]);
    assert.deepEqual(complete("braid note hi --to a"), ["all", "api", "auth"]);
    assert.ok(complete("braid config get notify_").includes("notify_command"));
  });

  it("completes session names from the repo's registry", () => {
    assert.deepEqual(complete("braid attach a"), ["api", "auth"]);
    assert.deepEqual(complete("braid send au"), ["auth"]);
    assert.deepEqual(complete("braid rm --force a"), ["api", "auth"]);
    assert.deepEqual(complete("braid merge api a"), ["api", "auth"]);
  });

  it("prints zsh and fish scripts; an unknown shell is a one-line error", async () => {
    const zsh = await braid(sb, repo, ["completion", "zsh"]);
    assert.equal(zsh.code, 0);
    assert.match(zsh.stdout, /bashcompinit/);
    assert.match(zsh.stdout, /complete -F _braid braid/);
    const fish = await braid(sb, repo, ["completion", "fish"]);
    assert.equal(fish.code, 0);
    assert.match(fish.stdout, /complete -c braid -n __fish_use_subcommand -a serve/);
    assert.match(fish.stdout, /-l agent -r -a '\(braid __complete agents 2>\/dev\/null\)'/);
    const bad = await braid(sb, repo, ["completion", "tcsh"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^braid: no completion for shell "tcsh" — use one of: bash, zsh, fish\n$/);
  });

  it("__complete is quiet outside a repository", async () => {
    const r = await braid(sb, sb.root, ["__complete", "sessions"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "");
  });
});
