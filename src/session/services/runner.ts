/**
 * The service runner: braid runs each `[services.NAME]` program through it, in a tmux window beside the
 * agent or detached (headless).
 *   node runner.js <specFile>
 * It reads and deletes the spec (it may hold secrets from the environment: never on a command line),
 * spawns the program in its own process group (no shell), records pid + start time in the state file
 * the moment it exists (so a kill -9 of braid never leaves a program braid cannot find), appends all
 * output to the log (and echoes it in tmux), probes `ready`, restarts on failure when asked, and on
 * SIGTERM/SIGHUP stops the whole group. Deliberately tiny: only node built-ins.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { request as requestTls } from "node:https";
import { connect } from "node:net";
import { pathToFileURL } from "node:url";
import { processStart } from "../../infra/process.js";

export interface RunnerSpec {
  session: string;
  service: string;
  runId: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** http(s) URL or a port number (as text). */
  ready: string | null;
  readyTimeoutMs: number;
  restart: "no" | "on-failure";
  log: string;
  stateFile: string;
  /** Also write the program's output to our stdout (tmux window). */
  echo: boolean;
  /** Shown by status: the ready URL (or tcp://127.0.0.1:PORT). */
  url: string | null;
  /** tmux `-L` socket when the runner runs in a tmux window. */
  tmuxSocket: string | null;
}

export type ServiceState = "starting" | "running" | "ready" | "not-ready" | "exited" | "failed" | "stopped";

export interface ServiceRecord {
  service: string;
  session: string;
  runId: string;
  runnerPid: number;
  runnerStart: string | null;
  /** The program's pid (= its process group id) while it runs. */
  pid: number | null;
  pidStart: string | null;
  state: ServiceState;
  restarts: number;
  exitCode: number | null;
  error: string | null;
  log: string;
  since: string;
  url: string | null;
  /** The runner's tmux pane (runner tmux), to close with the service. */
  tmux: { socket: string; paneId: string } | null;
}

const MAX_RESTARTS = 5;

function main(specFile: string): void {
  const spec = JSON.parse(readFileSync(specFile, "utf8")) as RunnerSpec;
  try {
    unlinkSync(specFile);
  } catch {
    /* already gone */
  }
  const rec: ServiceRecord = {
    service: spec.service,
    session: spec.session,
    runId: spec.runId,
    runnerPid: process.pid,
    runnerStart: processStart(process.pid),
    pid: null,
    pidStart: null,
    state: "starting",
    restarts: 0,
    exitCode: null,
    error: null,
    log: spec.log,
    since: new Date().toISOString(),
    url: spec.url,
    tmux:
      spec.tmuxSocket !== null && process.env.TMUX_PANE
        ? { socket: spec.tmuxSocket, paneId: process.env.TMUX_PANE }
        : null,
  };
  const save = (patch: Partial<ServiceRecord>) => {
    if (patch.state && patch.state !== rec.state) rec.since = new Date().toISOString();
    Object.assign(rec, patch);
    const tmp = `${spec.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(rec)}\n`);
    renameSync(tmp, spec.stateFile);
  };
  const out = (chunk: Buffer | string) => {
    try {
      appendFileSync(spec.log, chunk);
    } catch {
      /* a full disk must not kill the service */
    }
    if (spec.echo) process.stdout.write(chunk);
  };
  const note = (text: string) => out(`[braid] ${text}\n`);

  let child: ChildProcess | null = null;
  let stopping = false;
  let generation = 0;

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const c = child;
    if (!c?.pid) {
      save({ state: "stopped", pid: null });
      process.exit(0);
    }
    kill(c.pid, "SIGTERM");
    setTimeout(() => kill(c.pid as number, "SIGKILL"), 5000).unref();
  };
  for (const sig of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.on(sig, stop);

  const launch = () => {
    const gen = ++generation;
    const c = spawn(spec.argv[0] as string, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = c;
    c.stdout?.on("data", out);
    c.stderr?.on("data", out);
    c.on("spawn", () => {
      save({
        pid: c.pid ?? null,
        pidStart: c.pid ? processStart(c.pid) : null,
        state: spec.ready ? "starting" : "running",
      });
      if (spec.ready) void probe(gen);
    });
    c.on("error", (e: NodeJS.ErrnoException) => {
      const msg = e.code === "ENOENT" ? `command not found: ${spec.argv[0]}` : `${spec.argv[0]}: ${e.message}`;
      note(msg);
      save({ state: "failed", error: msg, pid: null, exitCode: 127 });
      process.exit(1);
    });
    c.on("close", (code, signal) => {
      if (gen !== generation) return;
      const how = signal ? `killed by ${signal}` : `exit ${code}`;
      if (stopping) {
        save({ state: "stopped", pid: null, exitCode: code });
        process.exit(0);
      }
      note(`${spec.service} ended (${how})`);
      const failed = code !== 0;
      if (failed && spec.restart === "on-failure" && rec.restarts < MAX_RESTARTS) {
        const wait = Math.min(15_000, 1000 * 2 ** rec.restarts);
        note(`restarting in ${wait / 1000} s (restart ${rec.restarts + 1} of ${MAX_RESTARTS})`);
        save({ state: "starting", pid: null, exitCode: code, restarts: rec.restarts + 1 });
        setTimeout(() => {
          if (!stopping) launch();
        }, wait);
        return;
      }
      save({ state: failed ? "failed" : "exited", pid: null, exitCode: code, error: failed ? how : null });
      process.exit(0);
    });
  };

  const probe = async (gen: number) => {
    const deadline = Date.now() + spec.readyTimeoutMs;
    while (Date.now() < deadline && gen === generation && !stopping && child?.exitCode === null) {
      if (await answers(spec.ready as string)) {
        if (gen === generation && !stopping) save({ state: "ready" });
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (gen === generation && !stopping && child?.exitCode === null) {
      note(`not ready after ${Math.round(spec.readyTimeoutMs / 1000)} s (${spec.ready}); still running`);
      save({ state: "not-ready" });
    }
  };

  launch();
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    /* the group is gone */
  }
}

/** Does `ready` answer: an http(s) URL with a status < 500, or a TCP port on 127.0.0.1 accepting a connection? */
function answers(ready: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (/^\d+$/.test(ready)) {
      const sock = connect({ port: Number(ready), host: "127.0.0.1" });
      sock.setTimeout(2000);
      sock.once("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
      sock.once("timeout", () => {
        sock.destroy();
        resolve(false);
      });
      return;
    }
    const req = (ready.startsWith("https:") ? requestTls : request)(ready, { method: "GET", timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.once("error", () => resolve(false));
    req.once("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = process.argv[2];
  if (!spec) {
    process.stderr.write("braid service runner: usage: runner.js <specFile>\n");
    process.exit(2);
  }
  main(spec);
}
