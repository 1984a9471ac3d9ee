/**
 * Launch a session's agent: in a tmux window or as a detached headless process, always through the
 * exec wrapper (wrapper.ts). Waits until the agent process really exists, and reports tmux's own
 * error (or the agent's first words) when it does not start.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireAutonomyAllowed, sessionAutonomy } from "../agents/autonomy.js";
import { braidBin } from "../agents/claude.js";
import { requireAgentBinary, resolveAgent } from "../agents/index.js";
import { BraidError } from "../infra/errors.js";
import { pidAlive } from "../infra/process.js";
import { fillTemplate } from "../project/config.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { sandboxEnv } from "../sandbox/env.js";
import { sandboxLaunch } from "../sandbox/session.js";
import { swarmLaunch } from "../swarm/launch.js";
import { fillOverlayMountPoints } from "../worktree/bootstrap.js";
import { forkInfoOf } from "./fork.js";
import { readLive } from "./live.js";
import { firstUsefulLine, outputFile } from "./output.js";
import { launchDir, sessionRunDir } from "./paths.js";
import { guardCommits, unguardCommits } from "./readonly.js";
import { readAgentPid, readExit, runtimeOf, type SessionMode, type SessionRuntime } from "./runtime.js";
import { capturePanes, killPane, openWindow, projectTmuxSession, requireTmux, tmuxServer } from "./tmux.js";

export interface LaunchOptions {
  agent: string;
  headless: boolean;
  mode: SessionMode;
  /** Continue the previous conversation (restart). */
  resume: boolean;
  /** Run the agent in the bubblewrap sandbox. */
  sandbox?: boolean;
  /** First prompt instead of the task's (braid refresh's hand-off). */
  prompt?: string;
}

const WRAPPER = fileURLToPath(new URL("./wrapper.js", import.meta.url));

/** Environment variables that describe the terminal braid runs in, not the agent's. */
const DROP_ENV = new Set(["TMUX", "TMUX_PANE", "TERM", "COLUMNS", "LINES", "TERM_PROGRAM", "TERM_PROGRAM_VERSION"]);

/** The agent's environment: braid's own (PATH, ANTHROPIC_*, HOME ...) passed explicitly, plus BRAID_*. */
export function agentEnv(ctx: ProjectContext, rec: SessionRecord, runId: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROP_ENV.has(k)) env[k] = v;
  env.BRAID_SESSION = rec.name;
  env.BRAID_PROJECT = ctx.project.slug;
  env.BRAID_STATE_DIR = ctx.project.stateDir;
  env.BRAID_MAIN_WORKTREE = ctx.project.mainWorktree;
  env.BRAID_RUN_ID = runId;
  env.BRAID_SESSION_TYPE = rec.type;
  return env;
}

/**
 * Hand the agent's environment to the exec wrapper in a file only this user can read (created 0600, never
 * replaced), which the wrapper deletes before it starts the agent: no secret ever sits in an argv that
 * `ps` shows (tmux keeps every `-e VAR=value` in its server's argv for the server's whole life).
 */
function writeEnvFile(dir: string, env: Record<string, string>, tmux: boolean): void {
  const fd = openSync(join(dir, "env.json"), "wx", 0o600);
  try {
    const buf = Buffer.from(JSON.stringify({ env, tmux }));
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
}

/** Check everything that can be checked before creating anything (agent known + installed, tmux present). */
export function preflight(ctx: ProjectContext, agentName: string, headless: boolean): void {
  requireAgentBinary(resolveAgent(ctx.config, agentName));
  if (!headless) requireTmux();
}

/** Start the agent for `rec` now. Returns the runtime to store; throws BraidError when it cannot start. */
export async function launchAgent(ctx: ProjectContext, rec: SessionRecord, o: LaunchOptions): Promise<SessionRuntime> {
  const dir = sessionRunDir(ctx.project.stateDir, rec.name);
  try {
    return await launchRun(ctx, rec, o);
  } finally {
    // The wrapper deletes its env file at once; one it never read (the launch failed) must not stay behind.
    removeUnreadEnvFiles(dir);
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

async function launchRun(ctx: ProjectContext, rec: SessionRecord, o: LaunchOptions): Promise<SessionRuntime> {
  const adapter = resolveAgent(ctx.config, o.agent);
  requireAgentBinary(adapter);
  const readOnly = rec.type === "research";
  const sandboxed = o.sandbox === true;
  const autonomy = sessionAutonomy(rec, ctx.config.autonomy, { sandboxed, headless: o.headless });
  if (!readOnly) requireAutonomyAllowed(autonomy, sandboxed);
  if (rec.type === "implementation") await unguardCommits(rec.path);
  else await guardCommits(ctx, rec.path, rec.type);
  const previous = runtimeOf(rec);
  const previousConversation = readLive(ctx.project.stateDir, rec.name)?.conversationId ?? previous?.conversationId;
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const dir = launchDir(ctx.project.stateDir, rec.name, runId);
  mkdirSync(dir, { recursive: true });
  const prompt = o.resume
    ? ""
    : (o.prompt ?? fillTemplate(ctx.config.prompt_template, { task: rec.task ?? "", name: rec.name, type: rec.type }));
  const hasPrompt = Boolean((rec.task || o.prompt) && prompt);
  const forkFrom = forkInfoOf(rec)?.parentConversation;
  const launch =
    o.mode === "swarm"
      ? swarmLaunch(rec)
      : adapter.build({
          // a fork's task is a label, not a prompt: the forked conversation already has its context
          prompt: hasPrompt && !forkFrom ? prompt : "",
          headless: o.headless,
          resume: o.resume,
          readOnly,
          autonomy,
          conversationId: randomUUID(),
          ...(previousConversation ? { previousConversationId: previousConversation } : {}),
          ...(forkFrom ? { forkFrom } : {}),
        });
  const fullEnv = {
    ...agentEnv(ctx, rec, runId),
    // ports and configured env (issue 18): BRAID_SLOT, BRAID_PORT, BRAID_PORT_1…, PORT, [env]
    ...(await (await import("../ports/env.js")).sessionEnv(ctx, rec)).env,
    ...launch.env,
    BRAID_INITIAL_PROMPT: o.mode !== "swarm" && hasPrompt && !forkFrom ? "1" : "0",
  };
  // A swarm's driver is braid itself (it makes sub-worktrees): it sandboxes each of its agents instead.
  const wrapAgent = o.sandbox === true && o.mode !== "swarm";
  const env = wrapAgent ? sandboxEnv(fullEnv, Object.keys(launch.env)) : fullEnv;
  let agentArgv = launch.argv;
  if (wrapAgent) {
    const sb = await sandboxLaunch(ctx, rec, agentArgv, adapter.statePaths ?? [], {
      node: process.execPath,
      bin: braidBin(),
    });
    agentArgv = sb.argv;
    // Read by the exec wrapper: what to watch, and how to bring the branch back.
    if (sb.watch) writeFileSync(join(dir, "sandbox.json"), `${JSON.stringify(sb.watch)}\n`);
  } else await fillOverlayMountPoints(ctx, rec); // copy_mode = "overlay" needs the sandbox: a copy instead
  const argv = [process.execPath, WRAPPER, dir, ctx.project.mainWorktree, braidBin(), "--", ...agentArgv];
  writeEnvFile(dir, env, !o.headless);
  const runtime: SessionRuntime = {
    runner: o.headless ? "headless" : "tmux",
    agent: adapter.name,
    mode: o.mode,
    runId,
    conversationId: launch.conversationId,
    transcriptPath: null,
    hooks: launch.hooks,
    tmux: null,
    wrapperPid: null,
    logPath: outputFile(ctx.project.stateDir, rec.name, runId),
    launchedAt: new Date().toISOString(),
    exitCode: null,
    detail: null,
    headless: o.headless,
    readOnly,
    sandboxed: o.sandbox === true,
  };
  if (o.headless) {
    const log = runtime.logPath as string;
    const fd = openSync(log, "a");
    try {
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: rec.path,
        // the agent's environment comes from the env file; this one only runs the wrapper
        env: wrapperEnv(),
        detached: true,
        stdio: ["ignore", fd, fd],
      });
      child.on("error", () => undefined);
      child.unref();
      runtime.wrapperPid = child.pid ?? null;
    } finally {
      closeSync(fd);
    }
    await waitForAgent(
      ctx,
      rec.name,
      runId,
      () => pidAlive(runtime.wrapperPid),
      () => tail(log),
    );
    return runtime;
  }
  requireTmux();
  const server = tmuxServer(ctx.config.tmux_socket);
  const session = projectTmuxSession(ctx.project.slug);
  const opened = await openWindow(server, { session, window: rec.name, cwd: rec.path, argv });
  const paneId = opened.paneId;
  runtime.tmux = {
    socket: server.socket,
    socketPath: opened.socketPath,
    serverPid: opened.serverPid,
    session,
    window: rec.name,
    paneId,
  };
  // From here on the server is addressed by its path, wherever $TMUX points.
  const located = { socket: server.socket, path: opened.socketPath || null };
  try {
    await waitForAgent(
      ctx,
      rec.name,
      runId,
      () => true,
      async () => (await capturePanes(located, [paneId])).get(paneId) ?? "",
    );
  } catch (e) {
    await killPane(located, paneId);
    throw e;
  }
  return runtime;
}

/** The wrapper's own environment (headless): braid's, minus the terminal braid runs in. */
function wrapperEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of DROP_ENV) delete env[k];
  return env;
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-2000);
  } catch {
    return "";
  }
}

/** Wait (≤ 15 s) until the wrapper reports the agent's pid; fail with the agent's own words if it exits first. */
async function waitForAgent(
  ctx: ProjectContext,
  name: string,
  runId: string,
  wrapperAlive: () => boolean,
  output: () => string | Promise<string>,
): Promise<void> {
  const stateDir = ctx.project.stateDir;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const exit = readExit(stateDir, name, runId);
    if (exit?.error)
      throw new BraidError(`the agent for "${name}" did not start: ${exit.error}`, "check the agent command");
    if (readAgentPid(stateDir, name, runId)) return;
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
