/**
 * git 2.39 reads every worktree's admin dir before it adds one, and stops with "failed to read
 * .git/worktrees/<id>/commondir" when another `worktree add` (two `braid start`s at once, a pool refill, the
 * integration checkout of a train, the user's own git) has made that dir but not yet written the file. That
 * failure is worth another try once what git made before it stopped is undone.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GitError } from "./git.js";

/** Tries of one add while other worktrees are being added (each waits a little longer). */
const ATTEMPTS = 6;

function isConcurrentAddRace(e: unknown): boolean {
  return e instanceof GitError && /failed to read .*worktrees\/[^/\n]+\/commondir/.test(e.stderr);
}

/** Run `add`; on the race, `undo` what it left and try again (up to ATTEMPTS); any other failure rejects at once. */
export async function retryConcurrentAdd(add: () => Promise<void>, undo: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await add();
    } catch (e) {
      if (!isConcurrentAddRace(e) || attempt >= ATTEMPTS) throw e;
      await undo();
      await sleep(40 * attempt + Math.random() * 60);
    }
  }
}
