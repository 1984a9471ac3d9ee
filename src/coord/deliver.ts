/**
 * Contract between agent hooks and coordination.
 * Called by `braid hook <event>` for SessionStart and UserPromptSubmit: returns text to hand the
 * agent as additional context (project memory, unread notes), or undefined for nothing.
 * Notes handed over are marked read for that session.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProjectContext } from "../project/context.js";
import { readMemory } from "./memory.js";
import type { Note } from "./notes.js";
import { memoryPath } from "./paths.js";
import { escapeLine } from "./text.js";
import { takeUnread } from "./unread.js";

export type DeliveryEvent = "SessionStart" | "UserPromptSubmit";

/** Memory beyond this is cut (the agent is told where the full file is). */
const MAX_MEMORY_CHARS = 24_000;
/** At most this many notes per delivery, newest kept; the rest are a `braid notes` away. */
const MAX_NOTES = 20;

export async function hookContext(
  ctx: ProjectContext,
  sessionName: string,
  event: DeliveryEvent,
): Promise<string | undefined> {
  const notes = await takeUnread(ctx, sessionName);
  if (event === "UserPromptSubmit") return notes.length ? formatNotes(notes, sessionName) : undefined;
  const parts = [howToCoordinate(ctx, sessionName)];
  const memory = memoryForAgent(ctx);
  if (memory) parts.push(memory);
  if (notes.length) parts.push(formatNotes(notes, sessionName));
  return parts.join("\n\n");
}

/** How braid itself is invoked from an agent's shell: `braid` when on PATH, else node + this install. */
export function braidCommand(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, "braid"), constants.X_OK);
      return "braid";
    } catch {
      /* not here */
    }
  }
  const bin = fileURLToPath(new URL("../../../bin/braid.js", import.meta.url));
  return `node ${/^[\w./-]+$/.test(bin) ? bin : `'${bin.replace(/'/g, "'\\''")}'`}`;
}

/** How a session of this type ends its work: braid merges commits, never uncommitted files. */
function howToFinish(type: string | undefined, b = braidCommand()): string {
  if (type === "research") return "You are read-only: do not edit files; give your findings in your final answer.";
  if (type === "review") return "You review: do not commit; give your findings in your final answer.";
  return [
    'When your task is done, commit your work with a message that says what changed (git add -A && git commit -m "..."):',
    "braid merges your branch's commits, never uncommitted files.",
    `When an interface other sessions depend on is ready, commit it and post a note: ${b} note "…"`,
  ].join(" ");
}

function howToCoordinate(ctx: ProjectContext, session: string): string {
  const b = braidCommand();
  return [
    `You are braid session "${session}" of project "${ctx.project.slug}"; other sessions work in parallel in their own worktrees.`,
    // The hook runs under the agent, which braid started with BRAID_SESSION_TYPE: no registry read needed.
    howToFinish(process.env.BRAID_SESSION_TYPE ?? ctx.store.get(session)?.type, b),
    "Coordinate with one-line shell commands:",
    `- tell the other sessions something they need: ${b} note "Auth API ready at /api/auth/*"   (one session only: --to NAME)`,
    `- save a lasting learning for every future session: ${b} learn "Run migrations before tests" --section Gotchas`,
    `- read notes: ${b} notes   ·   show the project memory: ${b} memory`,
    "Notes from other sessions reach you automatically with your next prompt.",
  ].join("\n");
}

function memoryForAgent(ctx: ProjectContext): string | null {
  let view: ReturnType<typeof readMemory>;
  try {
    view = readMemory(memoryPath(ctx));
  } catch {
    // An unreadable memory file must not stop the session from starting.
    return null;
  }
  const text = view.text.trim();
  if (!text) return null;
  const cut = text.length > MAX_MEMORY_CHARS;
  return [
    `Project memory (shared by all sessions, from ${view.path}):`,
    cut ? `${text.slice(0, MAX_MEMORY_CHARS)}\n… (cut here; read the whole file for the rest)` : text,
  ].join("\n");
}

export function formatNotes(notes: Note[], session: string): string {
  const shown = notes.slice(-MAX_NOTES);
  const older = notes.length - shown.length;
  const lines = [`New notes for session "${session}" from other braid sessions:`];
  if (older > 0) lines.push(`(${older} older unread notes not shown: run braid notes --for ${session})`);
  for (const n of shown) {
    const to = n.to === "all" ? "" : ` to ${n.to}`;
    const text = n.text.split("\n").map(escapeLine);
    const body = text.length > 1 ? `\n  ${text.join("\n  ")}` : ` ${text[0]}`;
    lines.push(`- [#${n.id} ${n.time.slice(0, 16).replace("T", " ")} from ${n.from}${to}]${body}`);
  }
  return lines.join("\n");
}

/**
 * Notes as ONE line, for typing into an agent that has no hooks (`braid send --notes`): a newline typed
 * into a terminal UI would submit a half-written prompt.
 */
export function notesAsOneLine(notes: Note[]): string {
  const parts = notes
    .slice(-MAX_NOTES)
    .map((n) => `[note from ${n.from}] ${escapeLine(n.text.replace(/\s*\n\s*/g, " / "))}`);
  return `Notes from other braid sessions: ${parts.join(" | ")}`;
}
