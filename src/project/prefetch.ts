/**
 * The git questions a command asks first, started before the CLI's modules load: loading them takes
 * about as long as the spawns (tens of ms each here), so asking early overlaps the two instead of
 * queueing one after the other. Each answer is taken at most once; anything not prefetched, or asked
 * from another directory, is simply asked then.
 */
import { type BranchTips, branchTips, type ProjectFacts, projectFacts } from "../git/refs.js";

/** The probe itself; null when git fails (resolveProject then says why). */
function askProbe(cwd: string): Promise<ProjectFacts | null> {
  return projectFacts(cwd).catch(() => null);
}

interface Pending<T> {
  cwd: string;
  answer: Promise<T>;
}

let probe: Pending<ProjectFacts | null> | undefined;
let tips: Pending<BranchTips | null> | undefined;

/** Help asks nothing of the repository, so it gains nothing from a prefetch. */
const NO_REPO = new Set(["--help", "-h", "help"]);
/** Commands whose first step after finding the project is reading the branch tips. */
const READS_TIPS = new Set(["new", "start"]);

/** Start the first git calls `command` will make, from `cwd`. Failures surface when the answer is taken. */
export function prefetchFor(command: string | undefined, cwd: string): void {
  if (!command || NO_REPO.has(command)) return;
  probe = { cwd, answer: askProbe(cwd) };
  // Refs are shared by every worktree of a repo, so cwd's tips are the main worktree's.
  if (READS_TIPS.has(command)) tips = { cwd, answer: branchTips(cwd).catch(() => null) };
}

/** The project probe for cwd: the prefetched answer if there is one, else a fresh call. */
export function projectProbe(cwd: string): Promise<ProjectFacts | null> {
  const pending = probe;
  probe = undefined;
  return pending?.cwd === cwd ? pending.answer : askProbe(cwd);
}

/** The prefetched branch tips of this repository, once; undefined when none were (or they failed). */
export async function takePrefetchedTips(): Promise<BranchTips | undefined> {
  const pending = tips;
  tips = undefined;
  return (await pending?.answer) ?? undefined;
}
