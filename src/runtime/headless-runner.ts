/**
 * The headless runner: the exec wrapper as a detached process group, its output (and the agent's) in the
 * run's output.log. No terminal: nothing to attach to, type into or read a screen from.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { BraidError } from "../infra/errors.js";
import { pidAlive, signalGroup, signalProcess } from "../infra/process.js";
import {
  agentPidOf,
  DROP_ENV,
  endFromExit,
  stopLocal,
  tail,
  waitForAgent,
  waitGoneLocal,
  withEnvFileCleanup,
  wrapperArgv,
  writeEnvFile,
} from "./local.js";
import { readExit } from "./run.js";
import type { RunLook, Runner, RunRef } from "./runner.js";

/** The wrapper's own environment: braid's, minus the terminal braid runs in. */
function wrapperEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of DROP_ENV) delete env[k];
  return env;
}

function noTerminal(run: RunRef, verb: string): BraidError {
  return new BraidError(
    `session "${run.name}" runs headless: there is no terminal to ${verb}`,
    run.rt.logPath ? `read its output in ${run.rt.logPath}` : "see `braid status`",
  );
}

function lookOne(run: RunRef): RunLook {
  const exit = readExit(run.ctx.project.stateDir, run.name, run.rt.runId);
  if (exit) return { kind: "ended", end: endFromExit(run, exit, null) };
  const agentPid = agentPidOf(run);
  const agentAlive = pidAlive(agentPid);
  // Gone without the wrapper recording an exit (reboot, kill -9 of the group): lost, like a vanished server.
  if (!pidAlive(run.rt.wrapperPid) && !agentAlive)
    return { kind: "ended", end: { status: "lost", exitCode: null, detail: "agent process vanished" } };
  return { kind: "running", agentAlive, agentPid: agentAlive ? agentPid : null };
}

export const headlessRunner: Runner = {
  kind: "headless",
  attachable: false,

  preflight() {},

  launch(spec) {
    return withEnvFileCleanup(spec, async () => {
      writeEnvFile(spec.dir, spec.env, false);
      const argv = wrapperArgv(spec);
      const fd = openSync(spec.logPath, "a");
      let wrapperPid: number | null;
      try {
        const child = spawn(argv[0] as string, argv.slice(1), {
          cwd: spec.rec.path,
          // the agent's environment comes from the env file; this one only runs the wrapper
          env: wrapperEnv(),
          detached: true,
          stdio: ["ignore", fd, fd],
        });
        child.on("error", () => undefined);
        child.unref();
        wrapperPid = child.pid ?? null;
      } finally {
        closeSync(fd);
      }
      await waitForAgent(
        spec,
        () => pidAlive(wrapperPid),
        () => tail(spec.logPath),
      );
      return { tmux: null, wrapperPid };
    });
  },

  async look(runs) {
    return new Map(runs.map((r) => [r.name, lookOne(r)]));
  },

  async stop(run) {
    const wrapperPid = run.rt.wrapperPid;
    const agentPid = agentPidOf(run);
    await stopLocal(run, (sig) => {
      if (wrapperPid) signalGroup(wrapperPid, sig);
      else if (agentPid) signalProcess(agentPid, sig);
    });
  },

  waitGone: waitGoneLocal,

  async capture() {
    return null;
  },

  async sendText(run) {
    throw noTerminal(run, "send to");
  },

  async attach(run) {
    throw noTerminal(run, "attach to");
  },

  async relocate(_run, agentPid) {
    return { found: true, patch: {}, where: `pid ${agentPid}` };
  },
};
