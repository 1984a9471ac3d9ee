import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, isOneLineError, makeRepo } from "../helpers/env.js";
import { useRepo, useSandbox } from "../helpers/suite.js";

describe("braid config", () => {
  const { sb, repo } = useRepo();

  it("sets typed values in braid.toml and reads them back with their source", async () => {
    assert.equal((await braid(sb, repo, ["config", "set", "max_code_sessions", "6"])).code, 0);
    assert.equal((await braid(sb, repo, ["config", "set", "branch", "work/{name}"])).code, 0);
    assert.equal((await braid(sb, repo, ["config", "set", "copy", '["node_modules"]'])).code, 0);
    assert.equal(
      (await braid(sb, repo, ["config", "set", "base", "2024"])).code,
      0,
      "string key keeps a numeric-looking value",
    );
    const toml = readFileSync(join(repo, "braid.toml"), "utf8");
    assert.match(toml, /max_code_sessions = 6/);
    assert.match(toml, /base = "2024"/);
    const g = JSON.parse((await braid(sb, repo, ["config", "get", "max_code_sessions", "--json"])).stdout);
    assert.deepEqual(g, { key: "max_code_sessions", value: 6, source: "project" });
    assert.equal((await braid(sb, repo, ["config", "get", "branch"])).stdout, "work/{name}\n");
    const list = JSON.parse((await braid(sb, repo, ["config", "list", "--json"])).stdout);
    const byKey = Object.fromEntries(list.settings.map((e: { key: string }) => [e.key, e]));
    assert.deepEqual(byKey.copy.value, ["node_modules"]);
    assert.equal(byKey.agent.source, "default");
  });

  it("--global writes the global file; the project file still wins", async () => {
    const r = await braid(sb, repo, ["config", "set", "--global", "max_code_sessions", "9"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(sb.home, ".config/braid/config.toml"), "utf8"), /max_code_sessions = 9/);
    assert.equal((await braid(sb, repo, ["config", "get", "--global", "max_code_sessions"])).stdout, "9\n");
    assert.equal((await braid(sb, repo, ["config", "get", "max_code_sessions"])).stdout, "6\n");
    assert.equal((await braid(sb, sb.root, ["config", "get", "max_code_sessions"])).stdout, "9\n", "outside a repo");
  });

  it("sets nested keys (agents.<name>.command)", async () => {
    const r = await braid(sb, repo, ["config", "set", "agents.mine.command", '["my-agent", "--yes"]']);
    assert.equal(r.code, 0, r.stderr);
    const g = JSON.parse((await braid(sb, repo, ["config", "get", "agents.mine", "--json"])).stdout);
    assert.deepEqual(g.value, { command: ["my-agent", "--yes"] });
  });

  for (const [label, args, re] of [
    ["an unknown key", ["set", "nope", "1"], /unknown config key "nope"/],
    ["an unknown get key", ["get", "colour"], /unknown config key "colour"/],
    ["a bad value", ["set", "max_code_sessions", "lots"], /bad value for "max_code_sessions"/],
    ["a bad enum value", ["set", "copy_mode", "hardlink"], /bad value for "copy_mode"/],
  ] as const) {
    it(`refuses ${label} with one line and leaves the file unchanged`, async () => {
      const before = readFileSync(join(repo, "braid.toml"), "utf8");
      const r = await braid(sb, repo, ["config", ...args]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, re);
      assert.equal(readFileSync(join(repo, "braid.toml"), "utf8"), before);
    });
  }

  for (const [label, toml, re] of [
    ["a TOML syntax error, with its line", "a = 1\nmax_code_sessions = \n", /not valid TOML \(line 2, column \d+\)/],
    ["a branch template without {name}", 'branch = "feature/x"\n', /bad value for "branch": must contain \{name\}/],
    [
      "a misspelt placeholder",
      'branch = "feature/{nam}-{name}"\n',
      /bad value for "branch": only \{name\} and \{repo\}/,
    ],
    ["a misspelt key of an agent", '[agents.x]\ncommnd = ["a"]\n', /unknown key "agents\.x\.commnd"/],
    [
      "a worktree_path without {name}",
      'worktree_path = "../{repo}-wt"\n',
      /bad value for "worktree_path": must contain/,
    ],
  ] as const) {
    it(`reports ${label} in braid.toml as one line, and creates nothing`, async () => {
      const before = readFileSync(join(repo, "braid.toml"), "utf8");
      writeFileSync(join(repo, "braid.toml"), toml);
      try {
        const r = await braid(sb, repo, ["new", "tpl", "--no-bootstrap"]);
        assert.ok(isOneLineError(r), r.stderr);
        assert.match(r.stderr, re);
        assert.equal((await braid(sb, repo, ["ls", "--json"])).code, 1, "the file stays an error for every command");
      } finally {
        writeFileSync(join(repo, "braid.toml"), before);
      }
      const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
      assert.ok(!ls.worktrees.some((w: { session: string | null }) => w.session === "tpl"));
    });
  }

  it("reports an unknown key in braid.toml as one line for any command", async () => {
    const before = readFileSync(join(repo, "braid.toml"), "utf8");
    writeFileSync(join(repo, "braid.toml"), `colour = "red"\n${before}`);
    try {
      const r = await braid(sb, repo, ["ls"]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /unknown key "colour"/);
    } finally {
      writeFileSync(join(repo, "braid.toml"), before);
    }
  });
});

describe("braid recommend", () => {
  const sb = useSandbox();

  for (const [files, size, advice, max] of [
    [3, "small", "single session, standard mode", 1],
    [20, "medium", "single session, swarm mode", 1],
    [120, "large", "2-3 worktrees, swarm mode", 3],
    [250, "very large", "3-4 worktrees, swarm mode", 4],
  ] as const) {
    it(`${files} tracked files → ${advice}`, async () => {
      const repo = makeRepo(
        sb,
        `r${files}`,
        Object.fromEntries(Array.from({ length: files }, (_, i) => [`f${i}.txt`, `${i}\n`])),
      );
      const r = await braid(sb, repo, ["recommend", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.trackedFiles, files);
      assert.equal(j.size, size);
      assert.equal(j.advice, advice);
      assert.equal(j.worktrees.max, max);
      const text = await braid(sb, repo, ["recommend"]);
      assert.match(text.stdout, new RegExp(`^${files} tracked files`));
    });
  }

  it("braid new warns on stderr (one line) when live sessions exceed the limit", async () => {
    const repo = join(sb.root, "r20");
    const first = await braid(sb, repo, ["new", "one", "--no-bootstrap"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "", "one session is within the recommendation");
    const second = await braid(sb, repo, ["new", "two", "--no-bootstrap"]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stderr,
      /^warning: 2 live implementation sessions exceed the recommendation for 20 tracked files/,
    );
    assert.equal(second.stderr.trim().split("\n").length, 1);
    const r = JSON.parse((await braid(sb, repo, ["recommend", "--json"])).stdout);
    assert.equal(r.liveCodeSessions, 2);
  });

  it("braid new warns when live sessions exceed max_code_sessions", async () => {
    const repo = join(sb.root, "r250");
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 1\n");
    assert.equal((await braid(sb, repo, ["new", "one", "--no-bootstrap"])).stderr, "");
    const second = await braid(sb, repo, ["new", "two", "--no-bootstrap"]);
    assert.match(second.stderr, /exceed max_code_sessions = 1/);
  });
});
