/** Process liveness and signals: the one place braid asks the kernel about pids. */

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
