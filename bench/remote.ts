/**
 * Status of 8 sessions on one host costs one ssh round trip: counts the ssh processes a `braid status --json`
 * starts (an ssh on PATH that logs each call) and times the round trip (`braid _host status` for all 8 over
 * the multiplexed connection) against one `ssh host true` on the same connection, in the same run.
 * Needs root (the sshd fixture adds a host user): node dist/bench/remote.js [runs]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getHost } from "../src/hosts/registry.js";
import { callHost } from "../src/hosts/remote.js";
import { runOnHost } from "../src/hosts/ssh.js";
import { braid, makeRepo, makeSandbox } from "../test/helpers/env.js";
import { HOST_ALIAS, sshdAvailable, startSshd } from "../test/helpers/sshd.js";
import { median } from "./summary.js";

const RUNS = Number(process.argv[2] ?? 7);
const SESSIONS = 8;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const why = sshdAvailable();
  if (why) {
    console.log(`skipped: ${why}`);
    return;
  }
  const sshd = await startSshd();
  const sb = makeSandbox("braid-bench-");
  const release = join(sshd.user.home, "release-bench");
  try {
    sshd.hostDir("braid-bench");
    spawnSync("rm", ["-f", release]);
    const cfg = join(sshd.user.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    const agent = `while [ ! -f "$HOME/release-bench" ]; do sleep 0.5; done`;
    writeFileSync(join(cfg, "config.toml"), `[agents.idler]\ncommand = ["sh", "-c", ${JSON.stringify(agent)}]\n`);
    spawnSync("chown", ["-R", `${sshd.user.uid}:${sshd.user.gid}`, join(sshd.user.home, ".config")]);
    Object.assign(process.env, sb.env, { BRAID_SSH_CONFIG: sshd.sshConfig });
    const repo = makeRepo(sb);
    const env = { BRAID_SSH_CONFIG: sshd.sshConfig };
    const add = await braid(sb, repo, ["host", "add", "box", HOST_ALIAS, "--dir", "braid-bench", "--install"], {
      env,
      timeoutMs: 300_000,
    });
    if (add.code !== 0) throw new Error(add.stderr);
    for (let i = 1; i <= SESSIONS; i++) {
      const r = await braid(sb, repo, ["start", `s${i}`, "idle", "--host", "box", "--agent", "idler", "--headless"], {
        env,
      });
      if (r.code !== 0) throw new Error(r.stderr);
    }
    // ssh processes per status: an ssh on PATH that logs each call
    const shim = join(sb.root, "shim");
    mkdirSync(shim);
    const log = join(sb.root, "ssh.log");
    writeFileSync(join(shim, "ssh"), `#!/bin/sh\necho "$*" >> ${log}\nexec /usr/bin/ssh "$@"\n`, { mode: 0o755 });
    const st = await braid(sb, repo, ["status", "--json"], { env: { ...env, PATH: `${shim}:${process.env.PATH}` } });
    if (st.code !== 0) throw new Error(st.stderr);
    const shown = (JSON.parse(st.stdout) as { sessions: Array<{ host?: string }> }).sessions.filter(
      (s) => s.host === "box",
    ).length;
    const calls = readFileSync(log, "utf8").trim().split("\n").length;

    const host = getHost("box");
    const slug = (JSON.parse(st.stdout) as { sessions: Array<{ path: string }> }).sessions[0]?.path ?? "";
    const project = /projects\/([^/]+)-s\d+$/.exec(slug)?.[1] ?? "app";
    const trueMs: number[] = [];
    const statusMs: number[] = [];
    const cliMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // alternate the order, so neither always runs on a warmer connection
      const a = () => timed(() => runOnHost(host, ["true"]));
      const b = () => timed(() => callHost(host, "status", { project }));
      if (i % 2) {
        trueMs.push(await a());
        statusMs.push(await b());
      } else {
        statusMs.push(await b());
        trueMs.push(await a());
      }
      cliMs.push(await timed(() => braid(sb, repo, ["status", "--json"], { env })));
    }
    console.log(`sessions on the host: ${shown} of ${SESSIONS} shown by status`);
    console.log(`ssh processes per \`braid status --json\`: ${calls}`);
    console.log(`\`ssh host true\` (multiplexed):            median ${median(trueMs).toFixed(0)} ms`);
    console.log(
      `one round trip, all ${SESSIONS} sessions (_host status): median ${median(statusMs).toFixed(0)} ms (${(median(statusMs) / median(trueMs)).toFixed(1)}× ssh true)`,
    );
    console.log(`\`braid status --json\` end to end:         median ${median(cliMs).toFixed(0)} ms`);
  } finally {
    writeFileSync(release, "");
    spawnSync("chown", [`${sshd.user.uid}:${sshd.user.gid}`, release]);
    await new Promise((r) => setTimeout(r, 1500));
    await sshd.dispose();
    sb.cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
