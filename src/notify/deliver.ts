/**
 * Deliver one notification event: once (a marker file per session+state+since, created exclusively, so
 * concurrent hooks and radars never send the same event twice), to every configured channel in parallel,
 * each bounded in time. Failures go to hooks.log; nothing here is allowed to reach the agent.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { which } from "../agents/which.js";
import { logHookLine as log } from "../project/hook-log.js";
import { runningServer } from "../project/serve-paths.js";
import { StateStore } from "../project/state.js";
import type { NotifyEvent } from "./fire.js";
import { notifySettings } from "./settings.js";

const COMMAND_TIMEOUT_MS = 15_000;
const URL_TIMEOUT_MS = 5_000;
const KEEP_MARKERS_MS = 7 * 24 * 3600_000;

const VERB: Record<string, string> = {
  waiting: "is waiting for you",
  idle: "finished its turn",
  done: "is done",
  failed: "failed",
  conflict: "has a new conflict",
};

function notifyTitle(ev: NotifyEvent): string {
  return `braid: ${ev.session} ${VERB[ev.state] ?? ev.state}`;
}

function sentDir(stateDir: string): string {
  return join(stateDir, "notify", "sent");
}

/** True the first time this event is claimed, false for every later claim (any process). */
function claimEvent(ev: NotifyEvent): boolean {
  const dir = sentDir(ev.stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = createHash("sha256").update(`${ev.session}\0${ev.state}\0${ev.since}`).digest("hex").slice(0, 32);
  try {
    closeSync(openSync(join(dir, key), "wx", 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  pruneMarkers(dir);
  return true;
}

function pruneMarkers(dir: string): void {
  const names = readdirSync(dir);
  if (names.length < 200) return;
  const old = Date.now() - KEEP_MARKERS_MS;
  for (const n of names) {
    try {
      if (statSync(join(dir, n)).mtimeMs < old) rmSync(join(dir, n), { force: true });
    } catch {
      /* another worker pruned it */
    }
  }
}

/** A run braid stop ended is not a failure worth a notification. */
function stoppedByUser(ev: NotifyEvent): boolean {
  try {
    return new StateStore(ev.stateDir).sessions().find((s) => s.name === ev.session)?.status === "stopped";
  } catch {
    return false;
  }
}

function runBounded(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    const [bin, ...args] = argv;
    if (!bin) return resolve("empty command");
    const child = spawn(bin, args, { env, cwd, stdio: "ignore" });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(`${bin}: killed after ${COMMAND_TIMEOUT_MS / 1000} s`);
    }, COMMAND_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve(`${bin}: ${e.message}`);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? null : `${bin} exited ${code}`);
    });
  });
}

async function post(url: string, title: string, body: string): Promise<string | null> {
  try {
    const r = await fetch(url, {
      method: "POST",
      body: body ? `${title}: ${body}` : title,
      headers: { "Content-Type": "text/plain; charset=utf-8", Title: title },
      signal: AbortSignal.timeout(URL_TIMEOUT_MS),
    });
    return r.ok ? null : `POST ${new URL(url).host}: HTTP ${r.status}`;
  } catch (e) {
    return `POST ${new URL(url).host}: ${(e as Error).message}`;
  }
}

export async function deliver(ev: NotifyEvent): Promise<void> {
  const s = await notifySettings(ev.mainWorktree, ev.stateDir);
  if (s.ignored.length)
    log(
      ev.stateDir,
      `notify: ignored ${s.ignored.join(", ")} from braid.toml (not trusted; set them in your global config)`,
    );
  if (!s.events.includes(ev.state)) return;
  if (s.command.length === 0 && !s.desktop && !s.url) return;
  if ((ev.state === "done" || ev.state === "failed") && stoppedByUser(ev)) return;
  if (!claimEvent(ev)) return;
  const server = runningServer(ev.stateDir);
  const url = server ? `${server.url}/#${encodeURIComponent(ev.session)}` : "";
  const title = notifyTitle(ev);
  const jobs: Promise<string | null>[] = [];
  if (s.command.length) {
    const env = {
      ...process.env,
      BRAID_SESSION: ev.session,
      BRAID_STATE: ev.state,
      BRAID_DETAIL: ev.detail,
      BRAID_PROJECT: ev.project,
      BRAID_URL: url,
      BRAID_SINCE: ev.since,
    };
    jobs.push(runBounded(s.command, env, ev.mainWorktree));
  }
  if (s.desktop) {
    const bin = which("notify-send");
    if (bin) jobs.push(runBounded([bin, "-a", "braid", title, ev.detail], process.env, ev.mainWorktree));
  }
  if (s.url) jobs.push(post(s.url, title, ev.detail));
  for (const problem of await Promise.all(jobs))
    if (problem) log(ev.stateDir, `notify ${ev.session} ${ev.state}: ${problem}`);
}
