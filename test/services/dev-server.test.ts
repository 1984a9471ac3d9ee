// docs/ports.md example 1 run as written: a real node dev server per session on its own port, started beside
// the agent (headless and in tmux), gone after stop; logs, a missing command, trust, orphans after kill -9.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { braid, commitIn, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";
import {
  alive,
  docBlocks,
  fakeAgentConfig,
  listening,
  randomPortBase,
  type StatusSession,
  statusJson,
  waitFor,
} from "./fixture.js";

async function get(url: string): Promise<string | null> {
  try {
    return await (await fetch(url)).text();
  } catch {
    return null;
  }
}

describe("a dev server per session (docs/ports.md example 1)", () => {
  const { sb, repo } = useRepo();
  const base = randomPortBase();
  const socket = `braid-ports-${process.pid}`;
  const env = { BRAID_TMUX_SOCKET: socket };
  const run = (args: string[]) => braid(sb, repo, args, { env });
  const status = (): Promise<StatusSession[]> => statusJson(sb, repo, env);
  const svc = async (name: string, service = "web") =>
    (await status()).find((s) => s.name === name)?.services.find((x) => x.name === service);
  after(() => {
    spawnSync("tmux", ["-L", socket, "kill-server"], { env: sb.env });
  });

  it("runs the example: each session's server answers on its own port; stop ends it", async () => {
    const blocks = docBlocks("## Example 1");
    const js = blocks.find((b) => b.startsWith("js\n"))?.slice(3) ?? "";
    const toml = blocks.find((b) => b.startsWith("toml\n"))?.slice(5) ?? "";
    assert.match(js, /createServer/);
    assert.match(toml, /\[services\.web\]/);
    const [head, ...rest] = toml.split("[services.web]");
    writeFileSync(
      join(repo, "braid.toml"),
      `${fakeAgentConfig(sb)}${head}port_base = ${base}\n[services.web]${rest.join("[services.web]")}`,
    );
    commitIn(sb, repo, { "server.mjs": js }, "dev server");
    const untrusted = await run(["start", "early", "task"]);
    assert.equal(untrusted.code, 0, untrusted.stderr);
    // an untrusted repo's services are left out of its config: they never start, status lists none
    assert.equal(await svc("early"), undefined, "an untrusted repo's services never start");
    assert.match(untrusted.stderr, /services.*not trusted|not trusted.*services/);
    assert.equal(await listening(base), false);
    assert.equal((await run(["stop", "early"])).code, 0);
    assert.equal((await run(["rm", "early", "--force"])).code, 0);
    assert.equal((await run(["trust"])).code, 0);

    assert.equal((await run(["start", "auth", "task"])).code, 0);
    assert.equal((await run(["start", "api", "task"])).code, 0);
    const auth = await waitFor("auth/web ready", async () =>
      (await svc("auth"))?.state === "ready" ? svc("auth") : null,
    );
    const api = await waitFor("api/web ready", async () => ((await svc("api"))?.state === "ready" ? svc("api") : null));
    assert.equal(auth.url, `http://127.0.0.1:${base}/`);
    assert.equal(api.url, `http://127.0.0.1:${base + 2}/`);
    assert.equal(await get(`http://127.0.0.1:${base}/`), "hello from auth\n");
    assert.equal(await get(`http://127.0.0.1:${base + 2}/`), "hello from api\n");
    const table = await run(["status"]);
    assert.match(table.stdout, new RegExp(`auth/web\\s+ready\\s+http://127\\.0\\.0\\.1:${base}/`));
    const logs = await run(["logs", "auth", "--service", "web"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, new RegExp(`listening on ${base}`));
    const pid = auth.pid as number;
    assert.ok(pid && alive(pid));

    assert.equal((await run(["stop", "auth"])).code, 0);
    assert.equal(await listening(base), false, "auth's server is gone after stop");
    assert.equal(alive(pid), false);
    assert.equal((await svc("auth"))?.state, "stopped");
    assert.equal(await get(`http://127.0.0.1:${base + 2}/`), "hello from api\n", "api's server is untouched");
    const rm = await run(["rm", "api", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
    // rm stops the session's agent first, and its services with it (before any check)
    assert.equal(await listening(base + 2), false, "rm stops the services");
  });

  it("runs a service in a tmux window beside the agent with the tmux runner", async () => {
    const toml = readFileSync(join(repo, "braid.toml"), "utf8").replace('runner = "headless"\n', "");
    writeFileSync(join(repo, "braid.toml"), toml);
    assert.equal((await run(["start", "tm", "task"])).code, 0);
    const s = await waitFor("tm/web ready", async () => ((await svc("tm"))?.state === "ready" ? svc("tm") : null));
    const windows = spawnSync("tmux", ["-L", socket, "list-windows", "-a", "-F", "#{window_name}"], {
      env: sb.env,
      encoding: "utf8",
    }).stdout;
    assert.match(windows, /^tm\/web$/m, windows);
    assert.match(windows, /^tm$/m);
    assert.ok(await get(s.url as string));
    assert.equal((await run(["stop", "tm"])).code, 0);
    assert.equal(alive(s.pid as number), false);
    const after = spawnSync("tmux", ["-L", socket, "list-windows", "-a", "-F", "#{window_name}"], {
      env: sb.env,
      encoding: "utf8",
    }).stdout;
    assert.doesNotMatch(after, /^tm\/web$/m, "the service window closes with it");
  });

  it("shows a missing command and a never-ready service with their last output; the agent runs anyway", async () => {
    const toml = readFileSync(join(repo, "braid.toml"), "utf8");
    writeFileSync(
      join(repo, "braid.toml"),
      `runner = "headless"\n${toml}[services.ghost]\ncommand = ["no-such-program-xyz"]\n[services.mute]\ncommand = ["node", "-e", "console.log('warming up'); setInterval(() => {}, 1000)"]\nready = "{port1}"\nready_timeout = 2\n`,
    );
    assert.equal((await run(["trust"])).code, 0);
    assert.equal((await run(["start", "bad", "task"])).code, 0);
    const ghost = await waitFor("ghost failed", async () =>
      (await svc("bad", "ghost"))?.state === "failed" ? svc("bad", "ghost") : null,
    );
    assert.match(ghost.detail ?? "", /command not found: no-such-program-xyz/);
    const mute = await waitFor("mute not-ready", async () =>
      (await svc("bad", "mute"))?.state === "not-ready" ? svc("bad", "mute") : null,
    );
    assert.match(mute.detail ?? "", /not ready after 2 s|warming up/);
    assert.ok(mute.pid && alive(mute.pid), "a service that is not ready keeps running");
    const agent = (await status()).find((s) => s.name === "bad");
    assert.ok(agent && ["working", "starting", "idle"].includes(agent.state), JSON.stringify(agent));
    const nolog = await run(["logs", "bad", "--service", "nope"]);
    assert.ok(isOneLineError(nolog) && /no service "nope"/.test(nolog.stderr), nolog.stderr);

    // kill -9 of everything braid had running for the agent: the services stay behind as orphans
    const wrapper = JSON.parse(readFileSync(join(repo, ".git", "braid", "state.json"), "utf8")).sessions.find(
      (s: { name: string }) => s.name === "bad",
    ).ext.session.wrapperPid as number;
    process.kill(-wrapper, "SIGKILL");
    await waitFor("agent gone", () => !alive(wrapper));
    const doc = await run(["doctor", "--json"]);
    const orphans = (JSON.parse(doc.stdout) as { findings: { kind: string; where: string }[] }).findings.filter(
      (f) => f.kind === "orphan-service",
    );
    assert.deepEqual(orphans.map((f) => f.where).sort(), ["bad/mute", "bad/web"], doc.stdout);
    const fix = await run(["doctor", "--fix", "--json"]);
    assert.ok(
      (JSON.parse(fix.stdout) as { findings: { kind: string; fixed: boolean }[] }).findings.some(
        (f) => f.kind === "orphan-service" && f.fixed,
      ),
      fix.stdout,
    );
    assert.equal(alive(mute.pid as number), false, "doctor --fix stopped the orphan");
    const again = await run(["doctor", "--json"]);
    assert.ok(!again.stdout.includes("orphan-service"), again.stdout);
  });

  it("restarts an on-failure service, and leaves nothing running after a kill -9 of braid while services start", async () => {
    const flaky = `const fs=require("fs");if(!fs.existsSync("flaked")){fs.writeFileSync("flaked","");console.log("first try fails");process.exit(2)}require("http").createServer((q,r)=>r.end("ok")).listen(+process.env.BRAID_PORT_1,"127.0.0.1")`;
    writeFileSync(
      join(repo, "braid.toml"),
      `${fakeAgentConfig(sb)}ports = 2\nport_base = ${base}\n[services.flaky]\ncommand = ["node", "-e", ${JSON.stringify(flaky)}]\nready = "http://127.0.0.1:{port1}/"\nrestart = "on-failure"\n[services.slow]\ncommand = ["node", "-e", "setInterval(() => {}, 1000)"]\nready = "{port}"\nready_timeout = 600\n`,
    );
    assert.equal((await run(["trust"])).code, 0);
    assert.equal((await run(["start", "fl", "task"])).code, 0);
    const up = await waitFor("flaky ready after a restart", async () => {
      const s = (await status()).find((x) => x.name === "fl")?.services.find((x) => x.name === "flaky") as
        | { state: string; restarts: number; url: string }
        | undefined;
      return s?.state === "ready" ? s : null;
    });
    assert.equal(up.restarts, 1);
    assert.equal(await get(up.url), "ok");
    assert.match((await run(["logs", "fl", "--service", "flaky"])).stdout, /first try fails[\s\S]*restarting in 1 s/);
    assert.equal((await run(["stop", "fl"])).code, 0);

    // kill -9 of `braid start` the moment its first service record appears
    const { spawn } = await import("node:child_process");
    const { readdirSync } = await import("node:fs");
    const { BRAID_BIN } = await import("../helpers/env.js");
    const child = spawn(process.execPath, [BRAID_BIN, "start", "k9", "task"], {
      cwd: repo,
      env: { ...sb.env, ...env },
      stdio: "ignore",
    });
    const svcDir = join(repo, ".git", "braid", "run", "k9", "services");
    await waitFor("a service record", () => {
      try {
        return readdirSync(svcDir).some((f) => f.endsWith(".json"));
      } catch {
        return false;
      }
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const recorded = () =>
      readdirSync(svcDir)
        .filter((f) => f.endsWith(".json") && !f.includes("spec"))
        .map((f) => JSON.parse(readFileSync(join(svcDir, f), "utf8")) as { pid: number | null; runnerPid: number });
    await new Promise((r) => setTimeout(r, 1500)); // let any runner already spawned record its program
    assert.equal((await run(["stop", "k9"])).code, 0);
    const doc = await run(["doctor", "--json"]);
    assert.ok(!doc.stdout.includes("orphan-service"), doc.stdout);
    for (const r of recorded()) {
      assert.ok(!(r.pid && alive(r.pid)), `service pid ${r.pid} must be gone`);
      assert.ok(!(r.runnerPid && alive(r.runnerPid)), `runner pid ${r.runnerPid} must be gone`);
    }
  });
});
