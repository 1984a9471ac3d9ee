/**
 * `braid refresh NAME`: the guide's recipe for a full context window, in one step. Save the session's
 * learnings to the project memory (as `braid learn --from-session NAME --yes`), then restart its agent in a
 * fresh conversation (never --resume) whose first prompt hands the work over: the task, what the commits,
 * uncommitted files and the session's notes say is done, the previous conversation's last words, what is left.
 */
import { findFromEnd } from "../agents/claude/context.js";
import { saveCandidates, sessionCandidates } from "../coord/learn.js";
import type { LearnResult } from "../coord/memory.js";
import { readNotesFile } from "../coord/notes.js";
import { notesPath } from "../coord/paths.js";
import { Repo } from "../git/repo.js";
import { BraidError, isBraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { statusPaths } from "../radar/snapshot.js";
import { restartSession, type StartResult } from "./control.js";
import { findConversation } from "./fork.js";

export interface RefreshResult {
  name: string;
  /** The conversation the session leaves behind (null if none was found). */
  previousConversation: string | null;
  /** Learnings saved from the previous conversation (null when it had no transcript). */
  learned: (LearnResult & { transcript: string }) | null;
  /** The first prompt of the fresh conversation. */
  handoff: string;
  started: StartResult;
}

/** Most of a list, then how many more: a hand-off prompt stays short whatever the session did. */
function capped(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

/** The text of the last assistant message that has any, from the end of the transcript. */
function lastAssistantText(transcript: string): string | null {
  return findFromEnd(transcript, (line) => {
    if (!line.includes('"assistant"')) return null;
    try {
      const ev = JSON.parse(line) as { type?: string; message?: { content?: unknown } };
      if (ev.type !== "assistant" || !Array.isArray(ev.message?.content)) return null;
      const text = (ev.message.content as Array<{ type?: string; text?: unknown }>)
        .filter((b) => b?.type === "text" && typeof b.text === "string")
        .map((b) => b.text as string)
        .join("\n")
        .trim();
      return text || null;
    } catch {
      return null;
    }
  });
}

async function commitsSinceBase(rec: SessionRecord): Promise<string[]> {
  const repo = new Repo(rec.path);
  const base = (await repo.mergeBase(rec.baseRef, "HEAD")) ?? rec.baseCommit;
  return (await repo.onelineLog(`${base}..HEAD`)) ?? [];
}

async function handoffPrompt(ctx: ProjectContext, rec: SessionRecord, transcript: string | null) {
  const [commits, dirty] = await Promise.all([commitsSinceBase(rec), statusPaths(rec.path).catch(() => [])]);
  const notes = readNotesFile(notesPath(ctx)).notes.filter((n) => n.from === rec.name);
  const last = transcript ? lastAssistantText(transcript) : null;
  const parts = [
    `You are taking over braid session "${rec.name}" in a fresh conversation: the previous one filled its context window. Its learnings are saved in the project memory.`,
    `## The task\n${rec.task?.trim() || "(no task was recorded: ask the user)"}`,
    commits.length
      ? `## Done so far: commits on ${rec.branch} since ${rec.baseRef}\n${capped(commits, 30)
          .map((c) => `- ${c}`)
          .join("\n")}`
      : `## Done so far\nNo commits on ${rec.branch} yet.`,
    dirty.length
      ? `## Uncommitted work in the worktree (in progress: read it before changing it)\n${capped(dirty, 30)
          .map((f) => `- ${f}`)
          .join("\n")}`
      : "",
    notes.length
      ? `## Notes the session posted\n${capped(
          notes.map((n) => `- to ${n.to}: ${n.text.replace(/\s+/g, " ").slice(0, 300)}`),
          10,
        ).join("\n")}`
      : "",
    last ? `## The previous conversation's last message\n${last.slice(0, 2000)}` : "",
    "## What is left\nEverything the task asks that the commits and notes above do not show as done. Check the worktree (git log, git status) first, do not redo finished work, then carry on; commit when the task is done.",
  ];
  return parts.filter(Boolean).join("\n\n");
}

export async function refreshSession(ctx: ProjectContext, name: string): Promise<RefreshResult> {
  const rec = ctx.store.require(name);
  if ((rec.agent ?? ctx.config.agent) !== "claude")
    throw new BraidError(
      `session "${name}" runs ${rec.agent ?? ctx.config.agent}; refresh reads Claude Code's conversation`,
      `restart it instead: braid restart ${name}`,
    );
  if (rec.status === "created")
    throw new BraidError(`session "${name}" was never started`, `start it with \`braid start ${name} <task>\``);
  if (rec.type !== "implementation")
    throw new BraidError(
      `session "${name}" is a ${rec.type} session: there is no work to hand over`,
      `ask a new question with braid fork, or braid restart ${name}`,
    );
  const conv = findConversation(ctx, rec);
  let learned: RefreshResult["learned"] = null;
  try {
    const found = sessionCandidates(ctx, name);
    learned = { transcript: found.transcript, ...(await saveCandidates(ctx, found)) };
  } catch (e) {
    if (!isBraidError(e)) throw e; // no transcript: nothing to learn from, the hand-off still helps
  }
  const handoff = await handoffPrompt(ctx, rec, conv?.transcript ?? learned?.transcript ?? null);
  const started = await restartSession(ctx, name, { freshPrompt: handoff });
  return { name, previousConversation: conv?.id ?? null, learned, handoff, started };
}
