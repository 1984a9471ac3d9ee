/** Process liveness, identity and signals: the one place braid asks the kernel about pids. */
import { readFileSync } from "node:fs";

/** Fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/**
 * Start time of a process (field 22 of /proc/<pid>/stat, in clock ticks), or null when it cannot be read (no
 * /proc, no such process). A pid plus its start time tells a live process from a later one reusing the pid.
 */
export function processStart(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** The parent of a process, or null when it cannot be read. */
export function parentPid(pid: number): number | null {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Send `sig` to one process; one that is already gone is not an error. */
export function signalProcess(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Send `sig` to the process group led by `pid` (a child spawned with `detached: true`) and all it started. */
export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  signalProcess(-pid, sig);
}
