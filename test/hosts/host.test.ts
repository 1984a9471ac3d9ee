/**
 * `braid host add|ls|check|rm` against a real sshd on a loopback port with its own host key, and a separate
 * unix user standing in for the host (test/helpers/sshd.ts). Every failure is one line naming the fix.
 */
import assert from "node:assert/strict";
import { mkdirSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { braid, isOneLineError } from "../helpers/env.js";
import { HOST_ALIAS, type SshdFixture, sshdAvailable, startSshd } from "../helpers/sshd.js";
import { useSandbox } from "../helpers/suite.js";

const skip = sshdAvailable();

describe("braid host", { skip: skip ?? false }, () => {
  let sshd: SshdFixture;
  let env: NodeJS.ProcessEnv;
  let hostDir: string;
  before(async () => {
    sshd = await startSshd("braidhost-hosts");
    sshd.cleanHome();
    // a host whose PATH has git and node but no tmux
    const bin = join(sshd.dir, "limited-bin");
    mkdirSync(bin);
    for (const p of ["sh", "git", "node", "env", "dirname", "cat"]) symlinkSync(`/usr/bin/${p}`, join(bin, p));
    sshd.addLimitedAlias("notmux", bin);
    sshd.addAlias("downhost", ["HostName 127.0.0.1", "Port 1"]);
    hostDir = sshd.hostDir("braid-hosttest");
  });
  after(() => sshd?.dispose());
  const sb = useSandbox();
  const run = (args: string[], timeoutMs = 120_000) =>
    braid(sb, sb.root, args, { env: { ...env, BRAID_SSH_CONFIG: sshd.sshConfig }, timeoutMs });
  before(() => {
    env = sb.env;
  });

  test("no hosts yet; unknown host is one line", async () => {
    const ls = await run(["host", "ls", "--json"]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), { hosts: [] });
    const r = await run(["host", "check", "nope"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /unknown host "nope".*braid host add/);
  });

  test("a host without braid is refused and not recorded, naming --install", async () => {
    const r = await run(["host", "add", "box", HOST_ALIAS, "--dir", "braid-hosttest"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /host box has no braid — .*--install/);
    assert.deepEqual(JSON.parse((await run(["host", "ls", "--json"])).stdout).hosts, []);
  });

  test("host down and auth failure are one line each", async () => {
    const down = await run(["host", "add", "down", "downhost"]);
    assert.ok(isOneLineError(down), down.stderr);
    assert.match(down.stderr, /host down \(downhost\) is not answering/);
    const auth = await run(["host", "add", "bad", `nosuchuser@${HOST_ALIAS}`]);
    assert.ok(isOneLineError(auth), auth.stderr);
    assert.match(auth.stderr, /refused the login/);
  });

  test("add --install puts braid on the host; ls, check; env values never shown", async () => {
    const r = await run(
      [
        "host",
        "add",
        "box",
        HOST_ALIAS,
        "--dir",
        "braid-hosttest",
        "--install",
        "--env",
        "SECRET_KEY=s3cr3t",
        "--max-sessions",
        "3",
        "--json",
      ],
      300_000,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.check.ok, true);
    assert.equal(out.check.dir, hostDir);
    assert.ok(out.installed);
    // the host user runs the installed braid itself
    assert.equal(sshd.asHost([join(hostDir, "bin", "braid"), "--version"]).trim(), out.installed);
    const ls = await run(["host", "ls", "--json"]);
    const hosts = JSON.parse(ls.stdout).hosts;
    assert.equal(hosts.length, 1);
    assert.deepEqual(hosts[0].env, ["SECRET_KEY"]);
    assert.equal(hosts[0].maxSessions, 3);
    assert.doesNotMatch(ls.stdout, /s3cr3t/);
    const hostsFile = join(sb.home, ".config", "braid", "hosts.json");
    assert.equal(statSync(hostsFile).mode & 0o777, 0o600);
    const check = await run(["host", "check", "box", "--json"]);
    assert.equal(check.code, 0, check.stderr);
    const items = JSON.parse(check.stdout).hosts[0].items as Array<{ name: string; ok: boolean }>;
    for (const n of ["git", "tmux", "node", "braid"]) assert.equal(items.find((i) => i.name === n)?.ok, true, n);
  });

  test("a host with another braid version is refused, naming --install", async () => {
    const dir = sshd.hostDir("braid-oldver");
    // the host user's own braid of another version
    sshd.asHost([
      "sh",
      "-c",
      'mkdir -p "$1/bin" && printf "#!/bin/sh\\necho 0.0.1\\n" > "$1/bin/braid" && chmod +x "$1/bin/braid"',
      "sh",
      dir,
    ]);
    const r = await run(["host", "add", "old", HOST_ALIAS, "--dir", "braid-oldver"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(
      r.stderr,
      /host old has braid 0\.0\.1 — the host has braid 0\.0\.1, this is \S+: braid host add old \S+ --install$/m,
    );
    assert.ok(
      !JSON.parse((await run(["host", "ls", "--json"])).stdout).hosts.some((h: { name: string }) => h.name === "old"),
    );
  });

  test("a host lacking tmux is refused with the fix", async () => {
    const r = await run(["host", "add", "nt", "notmux", "--dir", "braid-hosttest"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /host nt has no tmux — install tmux on the host/);
  });

  test("rm forgets the host", async () => {
    const r = await run(["host", "rm", "box", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { host: "box", removed: true });
    const again = await run(["host", "rm", "box"]);
    assert.ok(isOneLineError(again), again.stderr);
  });
});
