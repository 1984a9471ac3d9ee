// Views only read; the supervisor step is explicit. Through the real CLI with real git and a headless fake
// agent: `braid status --json` on a queued session with a free slot starts nothing and leaves the registry
// byte for byte as it was; `braid _pump` (the supervisor tick the exec wrapper runs) starts it.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

// Runs until the test creates `release` in its worktree (or 10 minutes pass).
const FAKE_AGENT = `
import fs from "node:fs";
setInterval(() => fs.existsSync("release") && process.exit(0), 50);
setTimeout(() => process.exit(0), 600000);
`;

interface View {
  name: string;
  state: string;
  queuePosition: number | null;
}

describe("views only read; the supervisor tick starts queued sessions", () => {
  const { sb, repo } = useRepo("app");
  const run = (args: string[]) => braid(sb, repo, args);
  const stateFile = () => join(repo, ".git", "braid", "state.json");
  const runDir = (name: string) => join(repo, ".git", "braid", "run", name);
  const registry = (name: string) =>
    (JSON.parse(readFileSync(stateFile(), "utf8")) as { sessions: { name: string; status: string }[] }).sessions.find(
      (s) => s.name === name,
    );
  const views = async (): Promise<Map<string, View>> => {
    const r = await run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return new Map((JSON.parse(r.stdout) as { sessions: View[] }).sessions.map((v) => [v.name, v]));
  };
  /** End the agents this test started (before the sandbox goes: the repo is the commands' cwd). */
  const stopAll = async () => {
    for (const n of ["first", "second"]) {
      const wt = join(sb.root, `app-${n}`);
      if (existsSync(wt)) writeFileSync(join(wt, "release"), "");
      await run(["stop", n]);
    }
  };

  it("status --json on a queued session with a free slot starts nothing; braid _pump starts it", async (t) => {
    t.after(stopAll);
    const fake = join(sb.root, "fake-agent.mjs");
    writeFileSync(fake, FAKE_AGENT);
    writeFileSync(
      join(repo, "braid.toml"),
      `max_code_sessions = 1\nrunner = "headless"\nagent = "fake"\n[agents.fake]\ncommand = ["${process.execPath}", "${fake}"]\n`,
    );
    // The repo's own agent command runs only once trusted.
    assert.equal((await run(["trust"])).code, 0);
    const first = await run(["start", "first", "hold the slot"]);
    assert.equal(first.code, 0, first.stderr);
    const second = await run(["start", "second", "--json", "wait for a slot"]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).queued, true);

    // A free slot appears without any command that pumps: the cap is raised by editing the file.
    writeFileSync(
      join(repo, "braid.toml"),
      readFileSync(join(repo, "braid.toml"), "utf8").replace("max_code_sessions = 1", "max_code_sessions = 2"),
    );
    const before = readFileSync(stateFile(), "utf8");
    for (let i = 0; i < 3; i++) {
      const v = await views();
      assert.equal(v.get("second")?.state, "queued", "status must not start a queued session");
      assert.equal(v.get("second")?.queuePosition, 1);
      assert.equal(v.get("first")?.state, "working", "the running agent is still shown as it is");
    }
    assert.equal(readFileSync(stateFile(), "utf8"), before, "status must not rewrite the registry");
    assert.equal(existsSync(runDir("second")), false, "no launch directory: nothing was launched");

    // The explicit supervisor step starts it.
    const tick = await run(["_pump"]);
    assert.equal(tick.code, 0, tick.stderr);
    assert.ok(["starting", "working"].includes(registry("second")?.status ?? ""), JSON.stringify(registry("second")));
    assert.equal(existsSync(runDir("second")), true);
    assert.equal((await views()).get("second")?.state, "working");
  });
});
