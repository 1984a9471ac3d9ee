/**
 * Fire a notification without waiting for it: a detached worker process (worker.ts) does the slow part
 * (config, dedupe, running the user's command, the HTTP POST). Called from the hook path and the exec
 * wrapper, so this file imports node built-ins only (and when.ts, built-ins too) and never throws.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mayNotify } from "./when.js";

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
