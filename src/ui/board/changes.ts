/**
 * Whether anything the board's slow figures depend on may have changed, from file stats alone (no process):
 * the registry, the notes, and per session its hook files (live state, the marks the agent's shell hooks touch),
 * its worktree's index and HEAD, its branch and base refs, and what the watcher daemon (watch/) counted of its files.
 * Without a watcher, edits nobody reported (a user typing in a worktree without git) show at the next full refresh.
 */
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { notesPath } from "../../coord/paths.js";
import type { ProjectContext } from "../../project/context.js";
import { indexPathOf } from "../../radar/snapshot.js";
import { eventMarkFile, liveFile, MARKED_EVENT_NAMES } from "../../runtime/paths.js";
import { readWatch } from "../../watch/state.js";

function stampOf(path: string | null): string {
  if (!path) return "-";
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return "-";
  }
}

/** One string that changes when any watched file does. */
export function changeStamp(ctx: ProjectContext): string {
  const { stateDir, commonDir } = ctx.project;
  const parts = [
    stampOf(join(stateDir, "state.json")),
    stampOf(notesPath(ctx)),
    stampOf(join(commonDir, "packed-refs")),
  ];
  const sessions = ctx.store.sessions();
  const watched = readWatch(stateDir).tokens;
  for (const ref of new Set(sessions.flatMap((s) => [s.branch, s.baseRef])))
    parts.push(stampOf(join(commonDir, "refs", "heads", ref)));
  for (const s of sessions) {
    const index = indexPathOf(s.path);
    parts.push(
      s.name,
      stampOf(liveFile(stateDir, s.name)),
      ...MARKED_EVENT_NAMES.map((ev) => stampOf(eventMarkFile(stateDir, s.name, ev))),
      stampOf(index),
      stampOf(index ? join(dirname(index), "HEAD") : null),
      watched.get(s.path) ?? "-",
    );
  }
  return parts.join("|");
}
