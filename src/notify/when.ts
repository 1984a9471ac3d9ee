/**
 * Whether a hook event notifies, decided without starting anything: the hook runs this on every event, and
 * only when it says yes loads fire.ts (which spawns the worker). Node built-ins fs and path only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { globalConfigPath, PROJECT_CONFIG_FILE } from "../project/paths.js";

/** Whether any config file mentions a notify key: most setups have none, and then no worker is started. */
export function mayNotify(mainWorktree: string): boolean {
  for (const file of [globalConfigPath(), mainWorktree ? join(mainWorktree, PROJECT_CONFIG_FILE) : ""]) {
    try {
      if (file && readFileSync(file, "utf8").includes("notify_")) return true;
    } catch {
      /* no such file */
    }
  }
  return false;
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
