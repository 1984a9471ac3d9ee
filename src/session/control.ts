/**
 * Session control used by the commands and by other areas: start (with the cascade queue), stop,
 * restart. Every entry point reconciles and pumps the queue first (see cascade.ts for why no daemon).
 */
import { resolveAgent } from "../agents/index.js";
import { BraidError } from "../errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord, SessionType } from "../project/state.js";
import { stopServices } from "../services/services.js";
import type { SwarmStartOptions } from "../swarm/launch.js";
import { createWorktree } from "../worktree/create.js";
import { validateSessionName } from "../worktree/names.js";
import { type PumpResult, pump, type QueuedLaunch, reconcile } from "./cascade.js";
import { preflight } from "./launch.js";
import { isActive, pidAlive, readAgentPid, readExit, runtimeOf, type SessionMode } from "./runtime.js";
import { killPane } from "./tmux.js";

export interface StartOptions {
  name: string;
  task?: string;
  type?: SessionType;
  agent?: string;
  headless?: boolean;
  base?: string;
  mode?: SessionMode;
  owns?: string[];
  /** Swarm sizes (mode swarm). */
  swarm?: SwarmStartOptions;
}

export interface StartResult {
  record: SessionRecord;
  /** True when the session waits in the queue (cascade full). */
  queued: boolean;
  queuePosition: number | null;
  created: boolean;
}

/** 1-based position of `name` among queued implementation sessions (oldest first), or null. */
export function queuePosition(sessions: SessionRecord[], name: string): number | null {
  const queued = sessions.filter((s) => s.status === "queued").sort((a, b) => a.order - b.order);
  const i = queued.findIndex((s) => s.name === name);
  return i < 0 ? null : i + 1;
}

function alreadyRunning(rec: SessionRecord): BraidError {
  return new BraidError(
    `session "${rec.name}" is already ${rec.status === "queued" ? "queued" : "running"} (${rec.status})`,
    `attach with \`braid attach ${rec.name}\`, or \`braid stop ${rec.name}\` first`,
  );
}

function failIfLaunchFailed(r: PumpResult, name: string): void {
  const f = r.failed.find((x) => x.name === name);
  if (f)
    throw new BraidError(
      f.error.replace(/ — .*$/, ""),
      f.error.includes(" — ") ? f.error.replace(/^.* — /, "") : undefined,
    );
}

/** Create the worktree if needed, queue the session and let the cascade start it if a slot is free. */
export async function startSession(ctx: ProjectContext, o: StartOptions): Promise<StartResult> {
  validateSessionName(o.name);
  const agent = o.agent ?? ctx.config.agent;
  if (o.mode === "swarm" && !o.task?.trim())
    throw new BraidError("a swarm session needs a task", `braid start ${o.name} "what to build" --mode swarm`);
  // braid drives a swarm's agents itself: there is no terminal to attach to
  const headless = o.mode === "swarm" ? true : (o.headless ?? ctx.config.runner === "headless");
  preflight(ctx, agent, headless);
  await reconcile(ctx);
  let existing = ctx.store.get(o.name);
  if (existing && (isActive(existing.status) || existing.status === "queued")) throw alreadyRunning(existing);
  let created = false;
  if (!existing) {
    existing = await createWorktree(ctx, {
      name: o.name,
      ...(o.base ? { base: o.base } : {}),
      ...(o.type ? { type: o.type } : {}),
      ...(o.task ? { task: o.task } : {}),
      ...(o.owns?.length ? { owns: o.owns } : {}),
    });
    created = true;
  }
  const queue: QueuedLaunch = {
    agent: resolveAgent(ctx.config, agent).name,
    headless,
    mode: o.mode ?? "standard",
    resume: false,
  };
  await ctx.store.update((d) => {
    const r = d.sessions.find((x) => x.name === o.name);
    if (!r) throw new BraidError(`session "${o.name}" vanished while starting`, "run the command again");
    if (isActive(r.status) || r.status === "queued") throw alreadyRunning(r);
    r.status = "queued";
    r.statusSince = new Date().toISOString();
    r.agent = queue.agent;
    if (o.type) r.type = o.type;
    if (o.task !== undefined) r.task = o.task;
    if (o.owns?.length) r.owns = o.owns;
    r.ext = { ...r.ext, queue, mode: queue.mode, ...(o.swarm ? { swarmOptions: o.swarm } : {}) };
  });
  const pumped = await pump(ctx);
  failIfLaunchFailed(pumped, o.name);
  const record = ctx.store.require(o.name);
  const queued = record.status === "queued";
  return { record, queued, queuePosition: queued ? queuePosition(ctx.store.sessions(), o.name) : null, created };
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export interface StopResult {
  name: string;
  /** State before stopping. */
  was: string;
  /** False when there was nothing to stop. */
  stopped: boolean;
}

/**
 * Stop a session's agent and keep its worktree. Queued sessions leave the queue. Idempotent: a session
 * that is not running is left as it is. Frees a cascade slot, so queued sessions may start.
 */
export async function stopSession(ctx: ProjectContext, name: string): Promise<StopResult> {
  await reconcile(ctx);
  const rec = ctx.store.require(name);
  const was = rec.status;
  if (!isActive(rec.status) && rec.status !== "queued") {
    await stopServices(ctx, name); // left over from a braid that was killed: nothing of a stopped session runs
    return { name, was, stopped: false };
  }
  const rt = runtimeOf(rec);
  // Mark first: the wrapper's exit (and its pump) must see a deliberate stop, not a failure.
  await ctx.store.update((d) => {
    const r = d.sessions.find((x) => x.name === name);
    if (!r) return;
    const { queue: _q, ...ext } = r.ext ?? {};
    r.status = "stopped";
    r.statusSince = new Date().toISOString();
    const cur = runtimeOf(r);
    r.ext = cur ? { ...ext, session: { ...cur, detail: "stopped by user" } } : ext;
  });
  if (rt && isActive(was)) {
    const stateDir = ctx.project.stateDir;
    const agentPid = readAgentPid(stateDir, name, rt.runId);
    const ended = () => readExit(stateDir, name, rt.runId) !== null || !pidAlive(agentPid);
    if (rt.runner === "headless" && rt.wrapperPid) signal(-rt.wrapperPid, "SIGTERM");
    else if (agentPid) signal(agentPid, "SIGTERM");
    if (!(await waitUntil(ended, 3000))) {
      if (rt.runner === "headless" && rt.wrapperPid) signal(-rt.wrapperPid, "SIGKILL");
      else if (agentPid) signal(agentPid, "SIGKILL");
    }
    if (rt.tmux) await killPane({ socket: rt.tmux.socket }, rt.tmux.paneId);
  }
  await stopServices(ctx, name);
  await pump(ctx);
  return { name, was, stopped: true };
}

/** Stop (if running) and start again, resuming the agent's conversation where the agent supports it. */
export async function restartSession(ctx: ProjectContext, name: string): Promise<StartResult> {
  const rec = ctx.store.require(name);
  if (rec.status === "created")
    throw new BraidError(`session "${name}" was never started`, `start it with \`braid start ${name} <task>\``);
  const rt = runtimeOf(rec);
  const agentName = rt?.agent ?? rec.agent ?? ctx.config.agent;
  const adapter = resolveAgent(ctx.config, agentName);
  const headless = rt?.headless ?? ctx.config.runner === "headless";
  preflight(ctx, agentName, headless);
  if (isActive(rec.status) || rec.status === "queued") await stopSession(ctx, name);
  const queue: QueuedLaunch = {
    agent: adapter.name,
    headless,
    mode: rt?.mode ?? "standard",
    resume: adapter.supportsResume && rt !== null,
  };
  await ctx.store.update((d) => {
    const r = d.sessions.find((x) => x.name === name);
    if (!r) return;
    r.status = "queued";
    r.statusSince = new Date().toISOString();
    r.ext = { ...r.ext, queue };
  });
  const pumped = await pump(ctx);
  failIfLaunchFailed(pumped, name);
  const record = ctx.store.require(name);
  const queued = record.status === "queued";
  return { record, queued, queuePosition: queued ? queuePosition(ctx.store.sessions(), name) : null, created: false };
}
