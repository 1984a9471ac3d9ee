/**
 * Fire a notification without waiting for it: a detached worker process (worker.ts) does the slow part
 * (config, dedupe, running the user's command, the HTTP POST). Called from the hook path and the exec
 * wrapper, so this file imports node built-ins only (and project/paths.ts, built-ins too) and never throws.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { globalConfigPath, PROJECT_CONFIG_FILE } from "../project/paths.js";

/** What happened, as the worker and the user's notify command see it. */
export interface NotifyEvent {
  session: string;
  /** waiting | idle | done | failed | conflict */
  state: string;
  detail: string;
  /** When the state began (ISO): with session and state, the key that makes each event fire once. */
  since: string;
  stateDir: string;
  mainWorktree: string;
  project: string;
}

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));

/** The event travels in the environment (not argv: ps shows argv to everyone on the machine). */
export const EVENT_ENV = "BRAID_NOTIFY_EVENT";

/** Whether any config file mentions a notify key: most setups have none, and then no worker is started. */
function mayNotify(mainWorktree: string): boolean {
  for (const file of [globalConfigPath(), mainWorktree ? join(mainWorktree, PROJECT_CONFIG_FILE) : ""]) {
    try {
      if (file && readFileSync(file, "utf8").includes("notify_")) return true;
    } catch {
      /* no such file */
    }
  }
  return false;
}

export function fireNotify(ev: NotifyEvent): void {
  try {
    if (!mayNotify(ev.mainWorktree)) return;
    const child = spawn(process.execPath, [WORKER], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, [EVENT_ENV]: JSON.stringify(ev) },
    });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    /* a notification is never worth failing the agent for */
  }
}

/** The hook's view of a state change: which transitions notify (waiting, a finished turn). */
export function hookNotifyState(
  prev: { state: string; since: string } | null,
  next: { state: string; since: string },
  event: string,
): string | null {
  if (prev && prev.since === next.since && prev.state === next.state) return null;
  if (next.state === "waiting") return "waiting";
  if (next.state === "idle" && event === "Stop") return "idle";
  return null;
}
