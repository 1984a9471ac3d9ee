/**
 * Session control used by the commands and by other areas: start (with the cascade queue), stop,
 * restart. Every entry point reconciles and pumps the queue first (see cascade.ts for why no daemon).
 */
import { type Autonomy, requireAutonomyAllowed } from "../agents/autonomy.js";
import { resolveAgent } from "../agents/index.js";
import { remoteOf } from "../hosts/remote.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { isActive } from "../project/state.js";
import { runtimeOf, type SessionMode } from "../runtime/run.js";
import { runnerFor } from "../runtime/runners.js";
import { decideSandbox } from "../sandbox/probe.js";
import type { SwarmStartOptions } from "../swarm/launch.js";
import type { BootstrapReport } from "../worktree/bootstrap.js";
import { validateSessionName } from "../worktree/names.js";
import { newSession } from "../worktree/new-session.js";
import { type PumpResult, pump, type QueuedLaunch, reconcile } from "./cascade.js";
import { preflight } from "./launch.js";
import { type RemoteStartOptions, restartRemoteSession } from "./remote.js";
import { stopServices } from "./services/services.js";

export interface StartOptions extends RemoteStartOptions {
  mode?: SessionMode;
  owns?: string[];
  /** How much the agent may do without asking (default: config `autonomy`); kept for restarts. */
  autonomy?: Autonomy;
  /** Swarm sizes (mode swarm). */
  swarm?: SwarmStartOptions;
  /** true/false: --sandbox/--no-sandbox; absent: config `sandbox`. */
  sandbox?: boolean;
}

export interface StartResult {
  record: SessionRecord;
  /** True when the session waits in the queue (cascade full). */
  queued: boolean;
  queuePosition: number | null;
  created: boolean;
  /** What bootstrapping a new worktree did (as `braid new`); null when the worktree existed. */
  bootstrap?: BootstrapReport | null;
  /** One-line warnings for the CLI to show (over-parallelism, bootstrap). */
  warnings?: string[];
}

/** 1-based position of `name` among queued implementation sessions (oldest first), or null. */
export function queuePosition(sessions: SessionRecord[], name: string): number | null {
  const queued = sessions.filter((s) => s.status === "queued").sort((a, b) => a.order - b.order);
  const i = queued.findIndex((s) => s.name === name);
  return i < 0 ? null : i + 1;
}

function alreadyRunning(rec: SessionRecord): BraidError {
  // A queued session has no window to attach to yet: say what it waits for instead.
  if (rec.status === "queued") return queuedError(rec.name, "is already queued");
  return new BraidError(
    `session "${rec.name}" is already running (${rec.status})`,
    `attach with \`braid attach ${rec.name}\`, or \`braid stop ${rec.name}\` first`,
  );
}

/** A queued session has no agent yet; it starts by itself. Shared by start (again) and attach/send/logs. */
export function queuedError(name: string, what: string): BraidError {
  return new BraidError(
    `session "${name}" ${what}: its agent starts by itself when an implementation slot frees (max_code_sessions)`,
    `wait, raise it (\`braid config set max_code_sessions N\`), or \`braid stop ${name}\` to take it out of the queue`,
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
  // Before anything is created: `on` where the sandbox cannot work is a one-line error.
  const sandbox = decideSandbox(o.sandbox === undefined ? ctx.config.sandbox : o.sandbox ? "on" : "off");
  if (o.type !== "research") requireAutonomyAllowed(o.autonomy ?? ctx.config.autonomy, sandbox);
  await reconcile(ctx);
  let existing = ctx.store.get(o.name);
  if (existing && (isActive(existing.status) || existing.status === "queued")) throw alreadyRunning(existing);
  let created = false;
  let bootstrap: BootstrapReport | null = null;
  const warnings: string[] = [];
  if (!existing) {
    // Exactly `braid new`: worktree, then .worktreeinclude files, `copy` dirs and (trusted) setup.
    const made = await newSession(ctx, {
      name: o.name,
      ...(o.base ? { base: o.base } : {}),
      ...(o.type ? { type: o.type } : {}),
      ...(o.task ? { task: o.task } : {}),
      ...(o.owns?.length ? { owns: o.owns } : {}),
    });
    existing = made.session;
    bootstrap = made.bootstrap;
    warnings.push(...made.warnings);
    created = true;
  }
  const queue: QueuedLaunch = {
    agent: resolveAgent(ctx.config, agent).name,
    headless,
    mode: o.mode ?? "standard",
    resume: false,
    ...(sandbox ? { sandbox } : {}),
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
    r.ext = {
      ...r.ext,
      queue,
      mode: queue.mode,
      ...(o.autonomy ? { autonomy: o.autonomy } : {}),
      ...(o.swarm ? { swarmOptions: o.swarm } : {}),
    };
  });
  const pumped = await pump(ctx);
  failIfLaunchFailed(pumped, o.name);
  const record = ctx.store.require(o.name);
  const queued = record.status === "queued";
  return {
    record,
    queued,
    queuePosition: queued ? queuePosition(ctx.store.sessions(), o.name) : null,
    created,
    bootstrap,
    warnings,
  };
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
  // On a host, the host's braid marks and stops it (queued there too); ask first, so a host that does not
  // answer leaves the record as it is (the error says so) rather than claiming a stop that did not happen.
  const remote = remoteOf(rec) !== null;
  if (rt && remote) await runnerFor(rt).stop({ ctx, name, rt });
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
  if (rt && isActive(was) && !remote) await runnerFor(rt).stop({ ctx, name, rt });
  await stopServices(ctx, name);
  await pump(ctx);
  return { name, was, stopped: true };
}

/**
 * Stop (if running) and start again, resuming the agent's conversation where the agent supports it; with
 * `freshPrompt`, a new conversation that starts with that prompt instead (braid refresh).
 */
export async function restartSession(
  ctx: ProjectContext,
  name: string,
  o: { freshPrompt?: string } = {},
): Promise<StartResult> {
  const rec = ctx.store.require(name);
  if (remoteOf(rec)) return restartRemoteSession(ctx, name, o);
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
    resume: o.freshPrompt === undefined && adapter.supportsResume && rt !== null,
    ...(o.freshPrompt !== undefined ? { prompt: o.freshPrompt } : {}),
    ...(rt?.sandboxed ? { sandbox: decideSandbox("on") } : {}),
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

export interface RestartAllResult {
  restarted: StartResult[];
  failed: { name: string; error: string }[];
}

/**
 * Bring back every `lost` session (its tmux server went away: kill-server, reboot), each in its own
 * conversation (`claude --resume <recorded id>`). Reconciles first, so sessions whose server just died count.
 */
export async function restartLost(ctx: ProjectContext): Promise<RestartAllResult> {
  await reconcile(ctx);
  const out: RestartAllResult = { restarted: [], failed: [] };
  for (const rec of ctx.store.sessions().filter((s) => s.status === "lost")) {
    try {
      out.restarted.push(await restartSession(ctx, rec.name));
    } catch (e) {
      out.failed.push({ name: rec.name, error: e instanceof BraidError ? e.oneLine() : (e as Error).message });
    }
  }
  return out;
}
