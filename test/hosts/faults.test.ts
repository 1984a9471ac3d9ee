/**
 * Faults of remote hosts through a real sshd, each a one-line error naming the fix with nothing lost on either
 * side: the host's disk full (a small tmpfs over its projects dir), a network drop between the host making the
 * session and the answer arriving (an ssh that drops the connection then; a rerun adopts what the host made), a
 * name the host already uses for a session not started from here, a damaged repository on the host. And
 * doctor's host checks: sessions on the host this repository has no record of (removed by --fix only after
 * their branch is fetched into refs/braid/backup here), the project's repository where nothing of it runs,
 * a host that does not answer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Finding } from "../../src/doctor/doctor.js";
import { braid, gitIn, isOneLineError, waitFor } from "../helpers/env.js";
import { HOST_ALIAS, type SshdFixture, sshdAvailable, startSshd } from "../helpers/sshd.js";
import { useRepo } from "../helpers/suite.js";

const skip = sshdAvailable();

/** A stand-in agent in the host user's config: commits one file and ends. */
const AGENT = [
  'echo "work of $BRAID_SESSION" > remote.txt',
  "git add remote.txt",
  'git -c user.name=agent -c user.email=agent@host.invalid commit -qm "remote work"',
].join("\n");

describe("faults of remote hosts", { skip: skip ?? false }, () => {
  let sshd: SshdFixture;
  let hostDir: string;
  let mounted: string | null = null;
  before(async () => {
    sshd = await startSshd("braidhost-faults");
    sshd.cleanHome();
    hostDir = sshd.hostDir("braid-faults");
    const cfg = join(sshd.user.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, "config.toml"), `[agents.fake]\ncommand = ["sh", "-c", ${JSON.stringify(AGENT)}]\n`);
    spawnSync("chown", ["-R", `${sshd.user.uid}:${sshd.user.gid}`, join(sshd.user.home, ".config")]);
  });
  after(async () => {
    if (mounted) spawnSync("umount", ["-l", mounted]);
    await sshd?.dispose();
  });
  const { sb, repo } = useRepo();
  const run = (args: string[], o: { timeoutMs?: number; path?: string } = {}) =>
    braid(sb, repo, args, {
      env: { BRAID_SSH_CONFIG: sshd.sshConfig, ...(o.path ? { PATH: `${o.path}:${process.env.PATH}` } : {}) },
      timeoutMs: o.timeoutMs ?? 120_000,
    });
  const sessions = async () => {
    const r = await run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { sessions: Array<Record<string, unknown>> }).sessions;
  };
  const waitDone = async (name: string) => {
    let last: unknown;
    await waitFor(
      `${name} done`,
      async () => {
        last = (await sessions()).find((s) => s.name === name);
        return (last as { state?: string } | undefined)?.state === "done";
      },
      60_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}`);
    });
  };
  const projectsDir = () => join(hostDir, "projects");
  const mirror = () => join(projectsDir(), "app");
  /** Forget a session here only, as a start cut off before it was recorded, or a registry restored from a backup. */
  const forgetHere = (name: string) => {
    const file = join(repo, ".git", "braid", "state.json");
    const d = JSON.parse(readFileSync(file, "utf8")) as { sessions: Array<{ name: string }> };
    d.sessions = d.sessions.filter((s) => s.name !== name);
    writeFileSync(file, JSON.stringify(d, null, 2));
  };
  const doctor = async (fix: boolean) => {
    const r = await run(["doctor", "--json", ...(fix ? ["--fix"] : [])]);
    return JSON.parse(r.stdout) as { findings: Finding[]; ok: boolean };
  };
  before(async () => {
    const r = await run(["host", "add", "box", HOST_ALIAS, "--dir", "braid-faults", "--install"], {
      timeoutMs: 300_000,
    });
    assert.equal(r.code, 0, r.stderr);
  });

  test("the host's disk full: one line naming it, nothing recorded; a rerun works once there is room", async () => {
    sshd.asHost(["mkdir", "-p", projectsDir()]);
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", projectsDir()], { encoding: "utf8" });
    assert.equal(m.status, 0, m.stderr);
    mounted = projectsDir();
    spawnSync("chown", [`${sshd.user.uid}:${sshd.user.gid}`, projectsDir()]);
    // fill it up (head stops with ENOSPC: what stays is a full disk)
    spawnSync("sh", ["-c", `head -c 2000000 /dev/zero > ${join(projectsDir(), "filler")}`]);
    const full = await run(["start", "big", "t", "--host", "box", "--agent", "fake", "--headless"]);
    assert.ok(isOneLineError(full), full.stderr);
    assert.match(full.stderr, /host box is out of disk space .* — free space there \(df -h /);
    assert.equal((await sessions()).length, 0, "nothing recorded here");
    rmSync(join(projectsDir(), "filler"));
    const again = await run(["start", "big", "t", "--host", "box", "--agent", "fake", "--headless"]);
    assert.equal(again.code, 0, again.stderr);
    await waitDone("big");
    const rm = await run(["rm", "big", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
    // the host's background deleter finishes the removed worktree (it holds the mount while it works: unmount lazily)
    const trash = join(mirror(), ".git", "braid", "trash");
    await waitFor("the host's trash emptied", () => !existsSync(trash) || readdirSync(trash).length === 0, 30_000);
    const u = spawnSync("umount", ["-l", projectsDir()], { encoding: "utf8" });
    assert.equal(u.status, 0, u.stderr);
    mounted = null;
  });

  test("a drop after the host made the session: nothing half-recorded; the rerun adopts it", async () => {
    // an ssh that loses the connection right after the host's braid answered the start, and stays down
    const shim = join(sb.root, "dropping-ssh");
    mkdirSync(shim, { recursive: true });
    const flag = join(sb.root, "link-down");
    writeFileSync(
      join(shim, "ssh"),
      [
        "#!/bin/sh",
        `if [ -f ${flag} ]; then echo "Connection closed by 127.0.0.1 port 22" >&2; exit 255; fi`,
        'case "$*" in *"_host start"*) /usr/bin/ssh "$@" >/dev/null; touch ' +
          flag +
          '; echo "Connection closed by 127.0.0.1 port 22" >&2; exit 255;; esac',
        'exec /usr/bin/ssh "$@"',
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const cut = await run(["start", "net", "t", "--host", "box", "--agent", "fake", "--headless"], { path: shim });
    assert.ok(isOneLineError(cut), cut.stderr);
    assert.match(cut.stderr, /stopped answering while starting net: .* — run the same braid start again/);
    assert.equal((await sessions()).length, 0, "no half-registered session here");
    const wt = join(projectsDir(), "app-net");
    assert.ok(existsSync(wt), "the host made it");
    const rerun = await run(["start", "net", "t", "--host", "box", "--agent", "fake", "--headless", "--json"]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(JSON.parse(rerun.stdout).session.ext.remote.path, wt, "adopted, not made again");
    await waitDone("net");
    const rm = await run(["rm", "net", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
  });

  test("a name the host uses for a session not started from here; doctor backs it up, then removes it", async () => {
    const first = await run(["start", "dup", "t", "--host", "box", "--agent", "fake", "--headless"]);
    assert.equal(first.code, 0, first.stderr);
    await waitDone("dup");
    forgetHere("dup");
    // main moved on: a start of "dup" now is another session than the one on the host
    writeFileSync(join(repo, "more.txt"), "more\n");
    gitIn(sb, repo, "add", "more.txt");
    gitIn(sb, repo, "commit", "-qm", "more");
    const taken = await run(["start", "dup", "t2", "--host", "box", "--agent", "fake", "--headless"]);
    assert.ok(isOneLineError(taken), taken.stderr);
    assert.match(
      taken.stderr,
      /a session named "dup" already exists on host box, not started from here — pick another name/,
    );
    assert.equal((await sessions()).length, 0, "nothing adopted");

    const seen = await doctor(false);
    const orphan = seen.findings.find((f) => f.kind === "orphaned-remote-worktree");
    assert.ok(orphan, JSON.stringify(seen.findings));
    assert.equal(orphan.where, `box:${join(projectsDir(), "app-dup")}`);
    assert.equal(orphan.fixable, true);
    assert.equal(seen.ok, false);
    assert.ok(!seen.findings.some((f) => f.kind === "stale-mirror"), "a session still lives in the mirror");
    const fixed = await doctor(true);
    assert.equal(fixed.findings.find((f) => f.kind === "orphaned-remote-worktree")?.fixed, true);
    const backups = gitIn(sb, repo, "for-each-ref", "--format=%(refname)", "refs/braid/backup/dup/").split("\n");
    assert.equal(backups.length, 1, backups.join(","));
    assert.equal(gitIn(sb, repo, "log", "-1", "--format=%s", backups[0] as string), "remote work", "nothing lost");
    assert.equal(existsSync(join(projectsDir(), "app-dup")), false, "removed on the host");

    const stale = (await doctor(false)).findings.find((f) => f.kind === "stale-mirror");
    assert.ok(stale, "the project's repository on the host now holds nothing");
    assert.equal(stale.severity, "info");
    assert.equal((await doctor(true)).findings.find((f) => f.kind === "stale-mirror")?.fixed, true);
    assert.equal(existsSync(mirror()), false, "the stale mirror is gone");
  });

  test("a damaged repository on the host: one line naming it and the repair", async () => {
    const ok = await run(["start", "d1", "t", "--host", "box", "--agent", "fake", "--headless"]);
    assert.equal(ok.code, 0, ok.stderr);
    await waitDone("d1");
    const head = join(mirror(), ".git", "HEAD");
    const good = readFileSync(head, "utf8");
    writeFileSync(head, "\u0000garbage\n");
    const bad = await run(["start", "d2", "t", "--host", "box", "--agent", "fake", "--headless"]);
    assert.ok(isOneLineError(bad), bad.stderr);
    assert.match(bad.stderr, /the project's repository on host box is damaged .* — repair it there \(git -C .* fsck\)/);
    assert.deepEqual(
      (await sessions()).map((s) => s.name),
      ["d1"],
      "nothing recorded, nothing removed",
    );
    writeFileSync(head, good);
    const rm = await run(["rm", "d1", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
  });

  test("--sandbox and --autonomy go to the host's braid, which checks them there", async () => {
    const refused = await run([
      "start",
      "a1",
      "t",
      "--host",
      "box",
      "--agent",
      "fake",
      "--headless",
      "--autonomy",
      "full",
      "--no-sandbox",
    ]);
    assert.ok(isOneLineError(refused), refused.stderr);
    assert.match(refused.stderr, /on host box: .*full/);
    assert.equal((await sessions()).length, 0, "nothing recorded");
    const boxed = await run([
      "start",
      "sbx",
      "t",
      "--host",
      "box",
      "--agent",
      "fake",
      "--headless",
      "--sandbox",
      "--autonomy",
      "edits",
    ]);
    assert.equal(boxed.code, 0, boxed.stderr);
    await waitDone("sbx");
    const v = (await sessions()).find((s) => s.name === "sbx");
    assert.equal(v?.sandboxed, true, "the host ran it in its sandbox");
    assert.equal(v?.ahead, 1, "and its commit landed on the host");
    const rm = await run(["rm", "sbx", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
  });

  test("doctor and --host auto: a host that does not answer is a warning, auto names it", async () => {
    await sshd.stop();
    try {
      const r = await doctor(false);
      const f = r.findings.find((x) => x.kind === "host-unreachable");
      assert.ok(f, JSON.stringify(r.findings));
      assert.equal(f.severity, "warning");
      assert.equal(f.where, "box");
      assert.match(f.fix, /braid host check box/);
      // --host auto with no host answering: one line, nothing recorded
      const auto = await run(["start", "x", "t", "--host", "auto", "--agent", "fake", "--headless"]);
      assert.ok(isOneLineError(auto), auto.stderr);
      assert.match(auto.stderr, /--host auto: no host answers \(box\) — check them with braid host check/);
      assert.equal((await sessions()).filter((s) => s.name === "x").length, 0);
    } finally {
      await sshd.start();
    }
    assert.ok(readdirSync(hostDir).includes("bin"), "the host's braid stays");
  });
});
