/**
 * What the runners on this machine (tmux, headless) share: the exec wrapper's argv and env file, waiting
 * for the agent to come up, reading how a run ended from its exit file, and stopping its processes.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { braidBin } from "../agents/claude.js";
import { BraidError } from "../infra/errors.js";
import { pidAlive, signalProcess } from "../infra/process.js";
import { firstUsefulLine, readOutput } from "./output.js";
import { sessionRunDir } from "./paths.js";
import { type ExitInfo, readAgentPid, readExit } from "./run.js";
import type { EndedRun, LaunchSpec, RunRef } from "./runner.js";

const WRAPPER = fileURLToPath(new URL("./wrapper.js", import.meta.url));

/** Environment variables that describe the terminal braid runs in, not the agent's. */
export const DROP_ENV = new Set([
  "TMUX",
  "TMUX_PANE",
  "TERM",
  "COLUMNS",
  "LINES",
  "TERM_PROGRAM",
  "TERM_PROGRAM_VERSION",
]);

/** `node wrapper.js <launchDir> <projectDir> <braidBin> -- <agent argv>`. */
export function wrapperArgv(spec: LaunchSpec): string[] {
  return [process.execPath, WRAPPER, spec.dir, spec.ctx.project.mainWorktree, braidBin(), "--", ...spec.argv];
}

/**
 * Hand the agent's environment to the exec wrapper in a file only this user can read (created 0600, never
 * replaced), which the wrapper deletes before it starts the agent: no secret ever sits in an argv that
 * `ps` shows (tmux keeps every `-e VAR=value` in its server's argv for the server's whole life).
 */
export function writeEnvFile(dir: string, env: Record<string, string>, tmux: boolean): void {
  const fd = openSync(join(dir, "env.json"), "wx", 0o600);
  try {
    const buf = Buffer.from(JSON.stringify({ env, tmux }));
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
}

/** Run a launch; afterwards no env file the wrapper never read (the launch failed) stays behind. */
export async function withEnvFileCleanup<T>(spec: LaunchSpec, launch: () => Promise<T>): Promise<T> {
  try {
    return await launch();
  } finally {
    // The wrapper deletes its env file at once; one it never read must not stay behind.
    removeUnreadEnvFiles(sessionRunDir(spec.ctx.project.stateDir, spec.rec.name));
  }
}

function removeUnreadEnvFiles(sessionDir: string): void {
  try {
    for (const run of readdirSync(sessionDir, { withFileTypes: true }))
      if (run.isDirectory()) rmSync(join(sessionDir, run.name, "env.json"), { force: true });
  } catch {
    /* no launch dir yet */
  }
}

export function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-2000);
  } catch {
    return "";
  }
}

/** Wait (≤ 15 s) until the wrapper reports the agent's pid; fail with the agent's own words if it exits first. */
export async function waitForAgent(
  spec: LaunchSpec,
  wrapperAlive: () => boolean,
  output: () => string | Promise<string>,
): Promise<void> {
  const stateDir = spec.ctx.project.stateDir;
  const name = spec.rec.name;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const exit = readExit(stateDir, name, spec.runId);
    if (exit?.error)
      throw new BraidError(`the agent for "${name}" did not start: ${exit.error}`, "check the agent command");
    if (readAgentPid(stateDir, name, spec.runId)) return;
    if (exit || !wrapperAlive()) {
      const said = firstUsefulLine(await output()) ?? "no output";
      throw new BraidError(
        `the agent for "${name}" exited at once: ${said}`,
        "run the agent command by hand to see why",
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new BraidError(
    `the agent for "${name}" did not start within 15 s`,
    "check the machine's load and the agent command",
  );
}

export const WINDOW_CLOSED: EndedRun = { status: "stopped", exitCode: null, detail: "tmux window closed" };

/** "exit 1: Unable to connect to Anthropic services" — the exit code with the first useful line of output. */
export function exitDetail(run: RunRef, base: string): string {
  const why = firstUsefulLine(readOutput(run.ctx.project.stateDir, run.name, run.rt.runId));
  return why ? `${base}: ${why}` : base;
}

/**
 * How a run ended, from the exit file its wrapper wrote. `terminalGone`: the runner found the terminal the
 * run lived in gone as a whole (`lost`, to restart with --all) rather than just its window closed.
 */
export function endFromExit(run: RunRef, exit: ExitInfo, terminalGone: EndedRun | null): EndedRun {
  if (terminalGone && (exit.hup || exit.signal)) return terminalGone;
  if (exit.hup || exit.signal === "SIGHUP") return WINDOW_CLOSED;
  if (exit.error) return { status: "failed", exitCode: exit.code, detail: exit.error };
  if (exit.code === 0) return { status: "done", exitCode: 0, detail: "exit 0" };
  return {
    status: "failed",
    exitCode: exit.code,
    detail: exitDetail(run, exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`),
  };
}

export function agentPidOf(run: RunRef): number | null {
  return readAgentPid(run.ctx.project.stateDir, run.name, run.rt.runId);
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** TERM through `signal`, up to 3 s for the run to end (exit file or agent gone), then KILL. */
export async function stopLocal(run: RunRef, signal: (sig: NodeJS.Signals) => void): Promise<void> {
  const agentPid = agentPidOf(run);
  const ended = () => readExit(run.ctx.project.stateDir, run.name, run.rt.runId) !== null || !pidAlive(agentPid);
  signal("SIGTERM");
  if (!(await waitUntil(ended, 3000))) signal("SIGKILL");
}

const EXIT_WAIT_MS = 15_000;

/** Wait until the agent and its wrapper have exited; KILL them half-way; a BraidError naming them if they stay. */
export async function waitGoneLocal(run: RunRef): Promise<void> {
  const pids = [agentPidOf(run), run.rt.wrapperPid].filter((p): p is number => Boolean(p));
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (;;) {
    const alive = pids.filter(pidAlive);
    if (alive.length === 0) return;
    if (Date.now() > deadline)
      throw new BraidError(
        `the agent of session "${run.name}" (pid ${alive.join(", ")}) did not exit after being stopped`,
        `kill it (kill -9 ${alive.join(" ")}) and run the command again`,
      );
    if (Date.now() > deadline - EXIT_WAIT_MS / 2) for (const p of alive) signalProcess(p, "SIGKILL");
    await new Promise((r) => setTimeout(r, 50));
  }
}
