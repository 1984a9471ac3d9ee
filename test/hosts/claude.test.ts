/**
 * A real Claude Code session on a host (the sshd fixture's user), against the scripted model stub: started
 * with `braid start --host`, it writes and commits there; local status shows it with its host; the project's
 * memory and notes went with the start and reached its first context; `merge` brings its commit into local
 * main.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CLAUDE_BIN, claudeAvailable, prepareClaudeHome, STUB_API_KEY } from "../helpers/claude.js";
import { braid, gitIn, waitFor } from "../helpers/env.js";
import { type ModelStub, requestContains, type StubRequest, startModelStub } from "../helpers/model-stub.js";
import { HOST_ALIAS, type SshdFixture, sshdAvailable, startSshd } from "../helpers/sshd.js";
import { useRepo } from "../helpers/suite.js";

const skip = sshdAvailable() ?? (claudeAvailable() ? null : "Claude Code CLI not installed");

describe("a real Claude Code session on a host", { skip: skip ?? false }, () => {
  let sshd: SshdFixture;
  let stub: ModelStub;
  const turns = new Map<string, number>();
  /** The conversation of the worktree named *-cjob: write, stage, commit, done; then answer "OK." */
  const responder = (r: StubRequest) => {
    if (r.cwd?.endsWith("-tjob")) return { text: `tmux reply ${turns.get(r.cwd) ?? 0}` };
    if (!r.cwd?.endsWith("-cjob")) return undefined;
    const i = turns.get(r.cwd) ?? 0;
    turns.set(r.cwd, i + 1);
    if (i === 0)
      return { toolUse: { name: "Write", input: { file_path: `${r.cwd}/hello.txt`, content: "hi from the host\n" } } };
    if (i === 1) return { toolUse: { name: "Bash", input: { command: "git add hello.txt", description: "stage" } } };
    if (i === 2)
      return {
        toolUse: { name: "Bash", input: { command: "git commit -q -m 'claude on the host'", description: "commit" } },
      };
    return { text: "Done.", usage: { input_tokens: 1000, output_tokens: 50 } };
  };
  before(async () => {
    sshd = await startSshd("braidhost-claude");
    sshd.cleanHome();
    sshd.hostDir("braid-claude");
    stub = await startModelStub({ responder });
    const home = sshd.user.home;
    // the host's worktrees land under its projects dir: trusted there, as a user accepts the folder once
    prepareClaudeHome(home, { trustedPaths: [join(home, "braid-claude"), join(home, "braid-claude", "projects")] });
    writeFileSync(join(home, ".gitconfig"), "[user]\n\tname = host agent\n\temail = agent@host.invalid\n");
    // the host's braid runs its tmux sessions on a server of its own (ended by this file, not the user's)
    mkdirSync(join(home, ".config", "braid"), { recursive: true });
    writeFileSync(join(home, ".config", "braid", "config.toml"), 'tmux_socket = "braid-hosttest"\n');
    spawnSync("chown", [
      "-R",
      `${sshd.user.uid}:${sshd.user.gid}`,
      join(home, ".claude.json"),
      join(home, ".gitconfig"),
      join(home, ".config"),
    ]);
  });
  after(async () => {
    try {
      sshd?.asHost(["tmux", "-L", "braid-hosttest", "kill-server"]);
    } catch {
      /* no server left */
    }
    await stub?.stop();
    await sshd?.dispose();
  });
  const { sb, repo } = useRepo();
  const run = (args: string[], timeoutMs = 120_000) =>
    braid(sb, repo, args, { env: { BRAID_SSH_CONFIG: sshd.sshConfig }, timeoutMs });
  const view = async (name: string) => {
    const r = await run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { sessions: Array<Record<string, unknown>> }).sessions.find((s) => s.name === name);
  };
  before(async () => {
    const claudeDir = join(sshd.user.home, "claude-bin");
    rmSync(claudeDir, { recursive: true, force: true });
    mkdirSync(claudeDir);
    symlinkSync(realpathSync(CLAUDE_BIN), join(claudeDir, "claude"));
    const env = [
      `ANTHROPIC_BASE_URL=${stub.url}`,
      `ANTHROPIC_API_KEY=${STUB_API_KEY}`,
      // the host user's PATH gets the Claude Code binary of this checkout as `claude`
      `PATH=${claudeDir}:/usr/local/bin:/usr/bin:/bin`,
      "DISABLE_AUTOUPDATER=1",
      "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
      "DISABLE_TELEMETRY=1",
      "DISABLE_ERROR_REPORTING=1",
    ].flatMap((e) => ["--env", e]);
    const r = await run(["host", "add", "box", HOST_ALIAS, "--dir", "braid-claude", "--install", ...env], 300_000);
    assert.equal(r.code, 0, r.stderr);
  });

  test("Claude on the host writes and commits; status, memory, a note, merge", async () => {
    const learned = await run(["learn", "the remote fact: port 4711"]);
    assert.equal(learned.code, 0, learned.stderr);
    const note = await run(["note", "also mind the cache"]);
    assert.equal(note.code, 0, note.stderr);
    const s = await run(["start", "cjob", "write hello.txt and commit it", "--host", "box", "--headless"]);
    assert.equal(s.code, 0, s.stderr);
    await waitFor("the remote Claude run to end", async () => (await view("cjob"))?.state === "done", 180_000);
    const v = await view("cjob");
    assert.equal(v?.host, "box");
    assert.equal(v?.agent, "claude");
    assert.equal(v?.ahead, 1);
    const mine = stub.requests.filter((r) => r.kind === "main" && r.cwd?.endsWith("-cjob"));
    assert.ok(mine.length >= 4, `main requests: ${mine.length}`);
    assert.ok(
      mine.some((r) => requestContains(r, "the remote fact: port 4711")),
      "the memory went with the start",
    );
    assert.ok(
      mine.some((r) => requestContains(r, "also mind the cache")),
      "a note posted here reached the agent on the host",
    );
    // the API key went over the ssh channel: it is in no process's argv on this machine
    const ps = spawnSync("ps", ["-eww", "-o", "args="], { encoding: "utf8" }).stdout;
    assert.doesNotMatch(ps, new RegExp(STUB_API_KEY));
    const m = await run(["merge", "cjob", "--json"]);
    assert.equal(m.code, 0, m.stderr + m.stdout);
    assert.equal(gitIn(sb, repo, "show", "main:hello.txt"), "hi from the host");
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", "main^2"), "claude on the host");
  });

  test("a note posted here reaches the host's tmux Claude on its next prompt", async (t) => {
    const s = await run(["start", "tjob", "say hello [[t1]]", "--host", "box"]);
    assert.equal(s.code, 0, s.stderr);
    await stub.waitForRequest(
      (r) => r.kind === "main" && !!r.cwd?.endsWith("-tjob") && requestContains(r, "[[t1]]"),
      180_000,
    );
    let last: Record<string, unknown> | undefined;
    await waitFor(
      "the host's tmux Claude idle, seen here",
      async () => {
        last = await view("tjob");
        return last?.state === "idle";
      },
      180_000,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}: last view ${JSON.stringify(last)}`);
    });
    const note = await run(["note", "--to", "tjob", "the port moved to 4712"]);
    assert.equal(note.code, 0, note.stderr);
    const sent = await run(["send", "tjob", "next step [[t2]]"]);
    assert.equal(sent.code, 0, sent.stderr);
    const next = await stub.waitForRequest(
      (r) => r.kind === "main" && !!r.cwd?.endsWith("-tjob") && requestContains(r, "[[t2]]"),
      180_000,
    );
    assert.ok(requestContains(next, "the port moved to 4712"), "the note is in the next request");
    t.diagnostic(`host worktree ${String(last?.path)}`);
    const stop = await run(["stop", "tjob"]);
    assert.equal(stop.code, 0, stop.stderr);
  });
});
