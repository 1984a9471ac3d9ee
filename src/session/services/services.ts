/**
 * Supervision of `[services.NAME]`: started right after the session's agent (a tmux window `<name>/<svc>`
 * beside it, or a detached process group), stopped with it (stop, the agent's end, rm, clean, finish).
 * Each runs under the service runner (runner.ts), which records pid + start time in
 * `<stateDir>/run/<name>/services/<svc>.json` and appends output to `<svc>.log` next to it.
 * A service that fails never fails the agent: its state and last output show in `braid status`.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pidAlive } from "../../infra/process.js";
import { sessionEnv } from "../../ports/env.js";
import type { ServiceConfig } from "../../project/config.js";
import type { ProjectContext } from "../../project/context.js";
import type { SessionRecord } from "../../project/state.js";
import { fillTemplate } from "../../project/template.js";
import { repoKeyUntrusted } from "../../project/trust-keys.js";
import { sessionRunDir } from "../../runtime/paths.js";
import { runtimeOf } from "../../runtime/run.js";
import { killPane, listPanes, openWindow } from "../../runtime/tmux.js";
import { procStart } from "./proc.js";
import type { RunnerSpec, ServiceRecord, ServiceState } from "./runner.js";

const RUNNER = fileURLToPath(new URL("./runner.js", import.meta.url));
/** Terminal-describing variables: the service gets its own pipes, not braid's terminal. */
const DROP_ENV = new Set(["TMUX", "TMUX_PANE", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLUMNS", "LINES"]);

function servicesDir(stateDir: string, name: string): string {
  return join(sessionRunDir(stateDir, name), "services");
}

export function serviceLog(stateDir: string, name: string, service: string): string {
  return join(servicesDir(stateDir, name), `${service}.log`);
}

function stateFile(stateDir: string, name: string, service: string): string {
  return join(servicesDir(stateDir, name), `${service}.json`);
}

/** tmux window of a service: beside the agent's window, named after both. */
function serviceWindow(name: string, service: string): string {
  return `${name}/${service}`;
}

export type StoredService = ServiceRecord;

export function readServiceRecords(stateDir: string, name: string): StoredService[] {
  const dir = servicesDir(stateDir, name);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const out: StoredService[] = [];
  for (const f of files) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, f), "utf8")) as StoredService);
    } catch {
      /* half-written by a killed writer: the runner rewrites it atomically on its next change */
    }
  }
  return out;
}

/** The same process that was recorded (a reused pid has another start time). */
export function sameProcess(pid: number | null, start: string | null): boolean {
  if (!pid || !pidAlive(pid)) return false;
  return start === null || procStart(pid) === null || procStart(pid) === start;
}

/** Is anything of this service still running (runner or program)? */
export function serviceAlive(s: StoredService): boolean {
  return sameProcess(s.runnerPid, s.runnerStart) || sameProcess(s.pid, s.pidStart);
}

/** http(s) `ready` → that URL; a port → tcp://127.0.0.1:PORT; nothing → null. */
function urlOf(ready: string | null): string | null {
  if (!ready) return null;
  if (/^\d+$/.test(ready)) return `tcp://127.0.0.1:${ready}`;
  return /^https?:\/\//.test(ready) ? ready : null;
}

function lastOutput(log: string): string | null {
  try {
    const text = readFileSync(log, "utf8").slice(-4000);
    return (
      text
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-1)[0] ?? null
    );
  } catch {
    return null;
  }
}

export interface ServiceView {
  name: string;
  state: ServiceState | "configured";
  url: string | null;
  pid: number | null;
  /** Why it is not running/ready: its error or last line of output. */
  detail: string | null;
  logPath: string | null;
  restarts: number;
}

/** Every configured or recorded service of the session, as views show it (`trusted`: may the configured ones start?). */
export function serviceViews(ctx: ProjectContext, rec: SessionRecord, trusted = true): ServiceView[] {
  const stored = new Map(readServiceRecords(ctx.project.stateDir, rec.name).map((s) => [s.service, s]));
  const names = [...new Set([...Object.keys(ctx.config.services), ...stored.keys()])].sort();
  return names.map((name) => {
    const s = stored.get(name);
    if (!s) {
      const detail = trusted ? "starts with the agent" : "not trusted yet: review braid.toml and run `braid trust`";
      return { name, state: "configured", url: null, pid: null, detail, logPath: null, restarts: 0 };
    }
    let state = s.state;
    let detail = s.error;
    const running = ["starting", "running", "ready", "not-ready"].includes(state);
    if (running && !serviceAlive(s)) {
      state = "failed";
      detail = "the service runner vanished";
    }
    if ((state === "failed" || state === "not-ready") && !detail) detail = lastOutput(s.log);
    if (state === "failed" && s.error && s.error !== detail) detail = `${s.error}: ${lastOutput(s.log) ?? ""}`;
    const pid = sameProcess(s.pid, s.pidStart) ? s.pid : null;
    return { name, state, url: s.url ?? null, pid, detail, logPath: s.log, restarts: s.restarts };
  });
}

export interface ServicesStart {
  started: string[];
  failed: { name: string; error: string }[];
  warnings: string[];
}

function writeSpec(file: string, spec: RunnerSpec): void {
  // 0600: the environment may hold secrets; the runner deletes the file once read.
  const fd = openSync(file, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(spec));
  } finally {
    closeSync(fd);
  }
}

function writeRecord(file: string, rec: StoredService): void {
  const fd = openSync(`${file}.braid.tmp`, "w", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(rec)}\n`);
  } finally {
    closeSync(fd);
  }
  // rename, so the runner's own atomic writes and ours never interleave into a torn file
  renameSync(`${file}.braid.tmp`, file);
}

/**
 * Start the session's configured services for its current run (skipping ones already running).
 * Waits only until each runner has recorded itself (a second or so), never for readiness.
 */
export async function startServices(ctx: ProjectContext, name: string): Promise<ServicesStart> {
  const result: ServicesStart = { started: [], failed: [], warnings: [] };
  if (await repoKeyUntrusted(ctx, "services")) {
    result.warnings.push(
      "did not start the services from braid.toml: not trusted yet — review them and run `braid trust`",
    );
    return result;
  }
  const configured = Object.entries(ctx.config.services);
  if (configured.length === 0) return result;
  const rec = ctx.store.require(name);
  const rt = runtimeOf(rec);
  if (!rt) return result;
  const stateDir = ctx.project.stateDir;
  const senv = await sessionEnv(ctx, rec);
  if (senv.warning) result.warnings.push(senv.warning);
  const dir = servicesDir(stateDir, name);
  mkdirSync(dir, { recursive: true });
  const running = new Map(readServiceRecords(stateDir, name).map((s) => [s.service, s]));
  const waiting: string[] = [];
  for (const [svc, cfg] of configured) {
    const prev = running.get(svc);
    if (prev && serviceAlive(prev)) {
      if (prev.runId === rt.runId) continue;
      await stopService(prev); // left from an earlier run (a braid killed mid-stop): this run gets its own
    }
    try {
      await startOne(ctx, rec, svc, cfg, senv.env, senv.values);
      result.started.push(svc);
      waiting.push(svc);
    } catch (e) {
      const error =
        e instanceof Error && "oneLine" in e ? (e as { oneLine(): string }).oneLine() : (e as Error).message;
      result.failed.push({ name: svc, error });
      writeRecord(stateFile(stateDir, name, svc), {
        ...blankRecord(rec.name, svc, rt.runId, serviceLog(stateDir, name, svc)),
        state: "failed",
        error,
      });
    }
  }
  // The runner records itself within moments; until then a `braid stop` could not find it.
  const deadline = Date.now() + 10_000;
  while (waiting.length && Date.now() < deadline) {
    const recs = new Map(readServiceRecords(stateDir, name).map((s) => [s.service, s]));
    for (let i = waiting.length - 1; i >= 0; i--) {
      const r = recs.get(waiting[i] as string);
      if (r && r.runnerPid > 0) waiting.splice(i, 1);
    }
    if (waiting.length) await new Promise((r) => setTimeout(r, 50));
  }
  return result;
}

async function startOne(
  ctx: ProjectContext,
  rec: SessionRecord,
  svc: string,
  cfg: ServiceConfig,
  sessionVars: Record<string, string>,
  values: Record<string, string>,
): Promise<void> {
  const stateDir = ctx.project.stateDir;
  const rt = runtimeOf(rec);
  const fill = (t: string) => fillTemplate(t, values);
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROP_ENV.has(k)) base[k] = v;
  const env: Record<string, string> = {
    ...base,
    BRAID_SESSION: rec.name,
    BRAID_SERVICE: svc,
    BRAID_PATH: rec.path,
    BRAID_MAIN_WORKTREE: ctx.project.mainWorktree,
    ...sessionVars,
  };
  for (const [k, v] of Object.entries(cfg.env)) env[k] = fill(v);
  const cwd = cfg.cwd ? (isAbsolute(fill(cfg.cwd)) ? fill(cfg.cwd) : join(rec.path, fill(cfg.cwd))) : rec.path;
  if (!existsSync(cwd)) throw new Error(`cwd ${cwd} does not exist`);
  const ready = cfg.ready === undefined ? null : fill(String(cfg.ready));
  const log = serviceLog(stateDir, rec.name, svc);
  const file = stateFile(stateDir, rec.name, svc);
  const tmuxServer = rt?.tmux ? { socket: rt.tmux.socket } : null;
  const spec: RunnerSpec = {
    session: rec.name,
    service: svc,
    runId: rt?.runId ?? "",
    argv: cfg.command.map(fill),
    cwd,
    env,
    ready,
    readyTimeoutMs: cfg.ready_timeout * 1000,
    restart: cfg.restart,
    log,
    stateFile: file,
    echo: tmuxServer !== null,
    url: urlOf(ready),
    tmuxSocket: tmuxServer?.socket ?? null,
  };
  // Recorded before the runner exists, so status shows it at once (runnerPid 0 until the runner writes).
  writeRecord(file, { ...blankRecord(rec.name, svc, spec.runId, log), url: urlOf(ready) });
  const specFile = join(servicesDir(stateDir, rec.name), `${svc}.spec.json`);
  writeSpec(specFile, spec);
  const argv = [process.execPath, RUNNER, specFile];
  if (tmuxServer && rt?.tmux) {
    await openWindow(tmuxServer, {
      session: rt.tmux.session,
      window: serviceWindow(rec.name, svc),
      cwd,
      env: {},
      argv,
    });
    return;
  }
  const child = spawn(argv[0] as string, argv.slice(1), { cwd, detached: true, stdio: "ignore" });
  child.on("error", () => undefined);
  child.unref();
}

function blankRecord(session: string, service: string, runId: string, log: string): StoredService {
  return {
    service,
    session,
    runId,
    runnerPid: 0,
    runnerStart: null,
    pid: null,
    pidStart: null,
    state: "starting",
    restarts: 0,
    exitCode: null,
    error: null,
    log,
    since: new Date().toISOString(),
    url: null,
    tmux: null,
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Stop one recorded service: the runner first (it stops its program's group), then whatever is left. */
export async function stopService(s: StoredService): Promise<void> {
  if (sameProcess(s.runnerPid, s.runnerStart)) signal(s.runnerPid, "SIGTERM");
  else if (sameProcess(s.pid, s.pidStart) && s.pid) signal(-s.pid, "SIGTERM");
  const deadline = Date.now() + 8000;
  while (serviceAlive(s) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (sameProcess(s.pid, s.pidStart) && s.pid) signal(-s.pid, "SIGKILL");
  if (sameProcess(s.runnerPid, s.runnerStart)) signal(s.runnerPid, "SIGKILL");
  await closeWindow(s);
}

/** Close the service's tmux window, only while that pane is still this service's window (pane ids repeat across servers). */
async function closeWindow(s: StoredService): Promise<void> {
  if (!s.tmux?.paneId) return;
  const server = { socket: s.tmux.socket };
  const pane = (await listPanes(server)).find((p) => p.paneId === s.tmux?.paneId);
  if (pane && pane.window === serviceWindow(s.session, s.service)) await killPane(server, pane.paneId);
}

/** Stop every service of the session that still runs (and close dead service windows). Returns the names stopped. */
export async function stopServices(ctx: ProjectContext, name: string): Promise<string[]> {
  const recs = readServiceRecords(ctx.project.stateDir, name);
  const live = recs.filter(serviceAlive);
  const deadPanes = recs.filter((s) => !serviceAlive(s) && s.tmux?.paneId);
  await Promise.all([...live.map(stopService), ...deadPanes.map(closeWindow)]);
  return live.map((s) => s.service);
}
