/**
 * `--commit-wip` (merge, finish): leftover uncommitted work of a done or idle session is committed before the
 * train, so the train can take it. Never while the agent works: only sessions whose record says done/idle and
 * whose hooks do not report it working. The commit is authored as the agent — `Claude (braid session auth)
 * <braid@localhost>` — with the user as committer, and says what it is: the task and the agent's last message.
 */

import { findTranscript } from "../coord/transcript.js";
import { Repo } from "../git/repo.js";
import { readTail } from "../infra/tail.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { statusPaths } from "../radar/snapshot.js";
import { readLive } from "../session/live.js";
import { MERGEABLE_STATES } from "./select.js";

export interface WipCommit {
  name: string;
  /** The new commit, or null when it was not committed (see `skipped`). */
  commit: string | null;
  files: number;
  skipped: string | null;
}

/** `Claude (braid session auth) <braid@localhost>`: whose work it is, and that braid committed it. */
export function wipAuthor(rec: Pick<SessionRecord, "name" | "agent">): { name: string; email: string } {
  const agent = rec.agent ?? "agent";
  return {
    name: `${agent.charAt(0).toUpperCase()}${agent.slice(1)} (braid session ${rec.name})`,
    email: "braid@localhost",
  };
}

const TAIL_BYTES = 512 * 1024;

/** The agent's last words in its Claude transcript (text blocks of the last assistant line), or null. */
export function lastAssistantText(transcript: string): string | null {
  const text = readTail(transcript, TAIL_BYTES);
  if (!text) return null;
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    if (!line.includes('"assistant"')) continue;
    try {
      const ev = JSON.parse(line) as { type?: string; message?: { content?: unknown } };
      if (ev.type !== "assistant" || !Array.isArray(ev.message?.content)) continue;
      const said = (ev.message.content as { type?: string; text?: string }[])
        .filter((b) => b.type === "text" && typeof b.text === "string")
        .map((b) => b.text)
        .join("\n")
        .trim();
      if (said) return said;
    } catch {
      /* the first, cut line of the tail, or a half-written one */
    }
  }
  return null;
}

function firstLine(s: string, max: number): string {
  const one = (s.split("\n").find((l) => l.trim()) ?? "").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function wipMessage(rec: Pick<SessionRecord, "name" | "task">, lastMessage: string | null): string {
  const task = rec.task?.trim();
  const subject = `${rec.name}: ${task ? firstLine(task, 60) : "work in progress"} (uncommitted work, committed by braid)`;
  const body = [
    task ? `Task: ${task}` : null,
    lastMessage ? `The agent's last message:\n${lastMessage.slice(0, 4000)}` : null,
    "Committed by `braid --commit-wip`: the agent left this work uncommitted.",
  ].filter(Boolean);
  return `${subject}\n\n${body.join("\n\n")}\n`;
}

/** Commit the session's uncommitted work, if it has any and its agent is not working. Null when clean. */
export async function commitWip(ctx: ProjectContext, rec: SessionRecord): Promise<WipCommit | null> {
  const dirty = await statusPaths(rec.path).catch(() => null);
  if (!dirty?.length) return null;
  const live = readLive(ctx.project.stateDir, rec.name);
  if (!MERGEABLE_STATES.has(rec.status) || live?.state === "working" || live?.state === "waiting") {
    const state = live?.state === "working" || live?.state === "waiting" ? live.state : rec.status;
    return { name: rec.name, commit: null, files: dirty.length, skipped: `its agent is ${state}: not committed` };
  }
  let last: string | null = null;
  try {
    last = lastAssistantText(findTranscript(rec, live?.transcriptPath));
  } catch {
    /* not a Claude session, or no transcript: the message has the task alone */
  }
  const who = wipAuthor(rec);
  const cwd = rec.path;
  const repo = new Repo(cwd);
  await repo.stageAll();
  const r = await repo.tryCommitAs(wipMessage(rec, last), `${who.name} <${who.email}>`);
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split("\n")[0] ?? "";
    return { name: rec.name, commit: null, files: dirty.length, skipped: `git commit failed: ${why}` };
  }
  return { name: rec.name, commit: await repo.head(), files: dirty.length, skipped: null };
}
