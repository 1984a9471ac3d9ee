/**
 * A session on a host, end to end through a real sshd: `braid host add --install`, `braid start --host`
 * with a headless stand-in agent (a shell program that commits and leaves uncommitted work), `status --json`
 * showing it with its host in one round trip, `unreachable` while sshd is down and back when it returns,
 * the branch and uncommitted work fetched into refs/braid/remote*, `merge` bringing its commit into local
 * main, and `rm` cleaning the host.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { braid, gitIn, isOneLineError, waitFor } from "../helpers/env.js";
import { HOST_ALIAS, type SshdFixture, sshdAvailable, startSshd } from "../helpers/sshd.js";
import { useRepo } from "../helpers/suite.js";

const skip = sshdAvailable();

/** The stand-in agent, defined in the host user's own global config (the host's braid resolves agents). */
const AGENT = [
  'echo "agent $BRAID_SESSION says hello"',
  'echo "from the host: $REMOTE_SECRET ($BRAID_SESSION)" > remote.txt',
  "git add remote.txt",
  'git -c user.name=agent -c user.email=agent@host.invalid commit -qm "remote work"',
  'echo "not committed yet" > wip.txt',
  'while [ ! -f "$HOME/release-agent" ]; do sleep 0.2; done',
  // done: nothing left uncommitted
  "rm -f wip.txt",
].join("\n");

describe("a session on a host", { skip: skip ?? false }, () => {
  let sshd: SshdFixture;
  let hostDir: string;
  before(async () => {
    sshd = await startSshd("braidhost-remote");
    sshd.cleanHome();
    hostDir = sshd.hostDir("braid-remote");
    const cfg = join(sshd.user.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, "config.toml"), `[agents.fake]\ncommand = ["sh", "-c", ${JSON.stringify(AGENT)}]\n`);
  });
  after(async () => {
    // the stand-in agent waits for this file: let it end, whatever the tests reached
    if (sshd) sshd.asHost(["touch", join(sshd.user.home, "release-agent")]);
    await sshd?.dispose();
  });
  const { sb, repo } = useRepo();
  const run = (args: string[], timeoutMs = 120_000) =>
    braid(sb, repo, args, { env: { BRAID_SSH_CONFIG: sshd.sshConfig }, timeoutMs });
  const status = async () => {
    const r = await run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { sessions: Array<Record<string, unknown>> };
  };
  before(async () => {
    const { spawnSync } = await import("node:child_process");
    spawnSync("chown", ["-R", `${sshd.user.uid}:${sshd.user.gid}`, join(sshd.user.home, ".config")]);
    const r = await run(
      ["host", "add", "box", HOST_ALIAS, "--dir", "braid-remote", "--install", "--env", "REMOTE_SECRET=s3cr3t"],
      300_000,
    );
    assert.equal(r.code, 0, r.stderr);
  });

  test("start --host runs the agent on the host; status shows it with its host", async () => {
    const r = await run(["start", "job", "do the thing", "--host", "box", "--agent", "fake", "--headless", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const rec = JSON.parse(r.stdout).session;
    assert.equal(rec.ext.remote.host, "box");
    const wt = rec.ext.remote.path as string;
    assert.ok(wt.startsWith(hostDir), wt);
    // the agent ran there, with the env value that went over the ssh channel
    await waitFor("the agent's commit on the host", () => existsSync(join(wt, "wip.txt")), 60_000);
    assert.equal(sshd.asHost(["cat", join(wt, "remote.txt")]).trim(), "from the host: s3cr3t (job)");
    // one ssh round trip for the whole status (an ssh on PATH that logs each call)
    const shim = join(sb.root, "shim");
    mkdirSync(shim, { recursive: true });
    const log = join(sb.root, "ssh-calls.log");
    writeFileSync(join(shim, "ssh"), `#!/bin/sh\necho "$*" >> ${log}\nexec /usr/bin/ssh "$@"\n`, { mode: 0o755 });
    const counted = await braid(sb, repo, ["status", "--json"], {
      env: { BRAID_SSH_CONFIG: sshd.sshConfig, PATH: `${shim}:${process.env.PATH}` },
    });
    assert.equal(counted.code, 0, counted.stderr);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    assert.equal(calls.length, 1, calls.join("\n"));
    assert.match(calls[0] ?? "", /_host status/);
    const v = (JSON.parse(counted.stdout) as { sessions: Array<Record<string, unknown>> }).sessions.find(
      (s) => s.name === "job",
    );
    assert.ok(v, "job in status");
    assert.equal(v.host, "box");
    assert.equal(v.state, "working");
    assert.equal(v.path, `box:${wt}`);
    assert.equal(v.ahead, 1);
    assert.equal(v.uncommittedFiles, 1);
  });

  test("a name already used is refused", async () => {
    const r = await run(["start", "job", "again", "--host", "box", "--agent", "fake", "--headless"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /already exists/);
  });

  test("host rm refuses while a session runs there, naming it and the fix", async () => {
    const r = await run(["host", "rm", "box"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /host box runs 1 session: [^ ]+\/job — stop them first .*braid host rm box --force/);
    const ls = JSON.parse((await run(["host", "ls", "--json"])).stdout) as { hosts: Array<{ name: string }> };
    assert.deepEqual(
      ls.hosts.map((h) => h.name),
      ["box"],
      "the host is still there",
    );
  });

  test("sshd down: unreachable, nothing removed; back when it returns", async () => {
    await sshd.stop();
    const v = (await status()).sessions.find((s) => s.name === "job");
    assert.equal(v?.state, "unreachable");
    assert.match(String(v?.detail), /box not answering/);
    await sshd.start();
    const back = (await status()).sessions.find((s) => s.name === "job");
    assert.equal(back?.state, "working");
  });

  test("notes and memory go both ways, merged by id", async () => {
    const projectDir = join(hostDir, "projects", readdirSync(join(hostDir, "projects"))[0] as string);
    const hostBraid = join(hostDir, "bin", "braid");
    const sent = await run(["note", "--to", "job", "hello from here"]);
    assert.equal(sent.code, 0, sent.stderr);
    const there = JSON.parse(sshd.asHost([hostBraid, "notes", "--json"], projectDir)) as {
      notes: Array<{ text: string }>;
    };
    assert.deepEqual(
      there.notes.map((n) => n.text),
      ["hello from here"],
    );
    // the remote agent (its braid) posts a note and a learning; they come back here
    sshd.asHost([hostBraid, "note", "--from", "job", "hello from the host"], projectDir);
    sshd.asHost([hostBraid, "learn", "the host has 2 cores"], projectDir);
    const back = await run(["notes", "--json"]);
    assert.equal(back.code, 0, back.stderr);
    const texts = (JSON.parse(back.stdout) as { notes: Array<{ text: string; from: string }> }).notes.map(
      (n) => n.text,
    );
    assert.deepEqual(texts, ["hello from here", "hello from the host"]);
    // again: nothing doubles on either side
    const again = await run(["host", "sync", "--json"]);
    assert.equal(again.code, 0, again.stderr);
    const coord = JSON.parse(again.stdout).coord[0];
    assert.deepEqual(coord.received, { notes: 0, learnings: 0 });
    assert.equal(coord.sent.notes, 0);
    const mem = await run(["memory", "--json"]);
    assert.match(mem.stdout, /the host has 2 cores/);
    const thereAgain = JSON.parse(sshd.asHost([hostBraid, "notes", "--json"], projectDir)) as { notes: unknown[] };
    assert.equal(thereAgain.notes.length, 2);
  });

  test("logs, stop and restart go to the host's braid", async () => {
    const logs = await run(["logs", "job", "--json"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /agent job says hello/);
    const stop = await run(["stop", "job"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await status()).sessions.find((s) => s.name === "job")?.state, "stopped");
    const restart = await run(["restart", "job"]);
    assert.equal(restart.code, 0, restart.stderr);
    await waitFor(
      "job working again",
      async () => (await status()).sessions.find((s) => s.name === "job")?.state === "working",
      60_000,
    );
  });

  test("fetch brings branch and uncommitted work into refs/braid/remote*; merge lands the commit", async () => {
    const f = await run(["host", "sync", "--json"]);
    assert.equal(f.code, 0, f.stderr);
    const head = gitIn(sb, repo, "rev-parse", "refs/braid/remote/box/job");
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", head), "remote work");
    const wip = gitIn(sb, repo, "rev-parse", "refs/braid/remote-wip/box/job");
    assert.equal(gitIn(sb, repo, "show", `${wip}:wip.txt`), "not committed yet");
    // the radar sees the session's uncommitted work on the host (from what sync fetched)
    const radar = await run(["conflicts", "--json"]);
    assert.equal(radar.code, 0, radar.stderr);
    const seen = (
      JSON.parse(radar.stdout) as { sessions: Array<{ name: string; dirty: boolean; changedFiles: number }> }
    ).sessions.find((s) => s.name === "job");
    assert.equal(seen?.dirty, true);
    assert.equal(seen?.changedFiles, 2, "remote.txt committed, wip.txt not yet");
    // uncommitted work on the host keeps the session out of the train
    const dirty = await run(["merge", "job"]);
    assert.ok(isOneLineError(dirty), dirty.stderr);
    assert.match(dirty.stderr, /uncommitted work on host box \(1 file\)/);
    // the agent finishes: merge takes its commit
    sshd.asHost(["touch", join(sshd.user.home, "release-agent")]);
    await waitFor(
      "the remote run to end",
      async () => (await status()).sessions.find((s) => s.name === "job")?.state === "done",
      60_000,
    );
    const m = await run(["merge", "job", "--json"]);
    assert.equal(m.code, 0, m.stderr + m.stdout);
    assert.equal(gitIn(sb, repo, "show", "main:remote.txt"), "from the host: s3cr3t (job)");
  });

  test("rm cleans the host once the work is merged", async () => {
    const rec = JSON.parse((await run(["status", "job", "--json"])).stdout);
    const wt = (rec.sessions?.[0] ?? rec).path.replace(/^box:/, "") as string;
    const r = await run(["rm", "job", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).backupRef, null);
    assert.equal(existsSync(wt), false, "worktree gone on the host");
    const project = join(hostDir, "projects");
    const branches = sshd.asHost(
      ["sh", "-c", 'for p in */; do git -C "$p" branch --list "feature/job"; done'],
      project,
    );
    assert.equal(branches.trim(), "");
    assert.equal((await status()).sessions.length, 0);
    assert.equal(gitIn(sb, repo, "for-each-ref", "refs/braid/remote", "refs/braid/remote-wip"), "");
  });

  test("rm refuses unmerged work on the host; --force saves it here first", async () => {
    const s = await run(["start", "job2", "more", "--host", "box", "--agent", "fake", "--headless"]);
    assert.equal(s.code, 0, s.stderr);
    await waitFor(
      "job2 to finish",
      async () => (await status()).sessions.find((v) => v.name === "job2")?.state === "done",
      60_000,
    );
    const refused = await run(["rm", "job2"]);
    assert.ok(isOneLineError(refused), refused.stderr);
    assert.match(refused.stderr, /1 unmerged commit on host box — merge it first/);
    assert.equal((await status()).sessions.length, 1, "nothing removed");
    const forced = await run(["rm", "job2", "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    const backup = JSON.parse(forced.stdout).backupRef as string;
    assert.match(backup, /^refs\/braid\/backup\/job2\//);
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", backup), "remote work");
  });

  test('--host auto and host = "auto" in a plan pick the host; an unknown plan host starts nothing', async () => {
    const bad = join(sb.root, "bad-plan.toml");
    writeFileSync(
      bad,
      `[[session]]\nname = "p0"\ntask = "x"\nagent = "fake"\n\n[[session]]\nname = "p1"\ntask = "y"\nhost = "nobox"\n`,
    );
    const refused = await run(["plan", bad, "--apply", "--headless", "--json"]);
    assert.ok(isOneLineError(refused), refused.stderr);
    assert.match(refused.stderr, /unknown host "nobox"/);
    assert.equal((await status()).sessions.length, 0, "no session started, here or there");
    const a = await run(["start", "ajob", "auto", "--host", "auto", "--agent", "fake", "--headless", "--json"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(JSON.parse(a.stdout).host, "box");
    const plan = join(sb.root, "plan.toml");
    writeFileSync(
      plan,
      `host = "auto"\n\n[[session]]\nname = "pjob"\ntask = "from the plan"\nagent = "fake"\nowns = ["remote.txt"]\n`,
    );
    const applied = await run(["plan", plan, "--apply", "--headless", "--json"]);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const views = (await status()).sessions;
    assert.deepEqual(views.map((v) => [v.name, v.host]).sort(), [
      ["ajob", "box"],
      ["pjob", "box"],
    ]);
    for (const n of ["ajob", "pjob"]) {
      await waitFor(
        `${n} to finish`,
        async () => (await status()).sessions.find((v) => v.name === n)?.state === "done",
        60_000,
      );
      const rm = await run(["rm", n, "--force"]);
      assert.equal(rm.code, 0, rm.stderr);
    }
  });

  test("host rm forgets the host once nothing runs there", async () => {
    const r = await run(["host", "rm", "box", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { host: "box", removed: true });
  });
});
