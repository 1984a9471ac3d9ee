/**
 * Per-session read cursors: the id and time of the newest note a session has been given. A note is
 * unread for a session when it is addressed to it or to all, was written by someone else, and comes
 * after its cursor in the file. If the cursor's note is gone (the file was cleared or hand-edited),
 * notes newer than the cursor's time count as unread: nothing new is hidden.
 */
import { mkdirSync, readFileSync, rmSync, type Stats, statSync } from "node:fs";
import { dirname } from "node:path";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
import { hasField, readJsonFile } from "../infra/json.js";
import type { ProjectContext } from "../project/context.js";
import { type Note, readNotesCached, readNotesFile } from "./notes.js";
import { COORD_LOCK, cursorPath, legacyCursorsPath, notesPath, notesSeenFileOf } from "./paths.js";

export interface Cursor {
  id: string;
  time: string;
  /**
   * The notes file as the cursor last saw it whole (size, mtime): while it is unchanged there is nothing new, and
   * a hook knows it without the lock or a parse (nothingNewSince). Absent in braid's older cursors.
   */
  seen?: FileMark;
}

interface FileMark {
  size: number;
  mtimeMs: number;
}

function isCursor(c: unknown): c is Cursor {
  return !!c && typeof (c as Cursor).id === "string" && typeof (c as Cursor).time === "string";
}

const markOf = (st: Stats | undefined): FileMark | undefined =>
  st ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;

const sameMark = (a: FileMark | undefined, b: FileMark | undefined): boolean =>
  !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs;

/**
 * Is the notes file just as the session's cursor last saw it (or absent)? Then nothing is unread: the prompt hook
 * answers without loading the project, taking the lock or parsing notes. False whenever unsure (no mark).
 * When it is, the session's notes-seen file is brought up to date if it is not (a cursor from an older braid, or a
 * crash between the two writes), so the next prompt's shell knows it without braid.
 */
export function nothingNewSince(notesFile: string, cursorFile: string, seenFile?: string): boolean {
  const now = statSync(notesFile, { throwIfNoEntry: false });
  if (!now) return true; // no notes file: no notes at all
  const seen = readJsonFile(cursorFile, isCursor)?.seen;
  if (!seen || !sameMark(seen, markOf(now))) return false;
  if (seenFile) markSeen(seenFile, notesFile, seen);
  return true;
}

/**
 * The notes-seen file: the notes file's size as the cursor saw it whole (`seen`), written after that. The prompt
 * hook's shell trusts it while it is newer than the notes file and the size still matches (notes are appended, so a
 * new note changes the size even if the clock went back). Written first and checked after, so an append meanwhile
 * removes it. Only a hint for speed: without it the hook asks braid, as before.
 */
function markSeen(seenFile: string, notesFile: string, seen: FileMark): void {
  try {
    const own = statSync(seenFile, { throwIfNoEntry: false });
    if (own && own.mtimeMs > seen.mtimeMs && readFileSync(seenFile, "utf8") === `${seen.size}\n`) return;
    writeFileAtomic(seenFile, `${seen.size}\n`, { durable: false }); // a line: the shell's `read` wants its newline
    if (!sameMark(markOf(statSync(notesFile, { throwIfNoEntry: false })), seen)) rmSync(seenFile, { force: true });
  } catch {
    /* see above */
  }
}

/** The session's cursor; missing or damaged: from the first note, which re-delivers rather than loses. */
function readCursor(ctx: ProjectContext, session: string): Cursor | undefined {
  const own = readJsonFile(cursorPath(ctx, session), isCursor);
  if (own) return own;
  // none of its own yet: maybe one from braid 0.1's shared file
  const legacy = readJsonFile(
    legacyCursorsPath(ctx),
    hasField<{ cursors: Record<string, unknown> }>("cursors", "object"),
  );
  const c = legacy?.cursors[session];
  return isCursor(c) ? c : undefined;
}

/** Is this note meant for `session` (addressed to it or to all, not its own)? */
export function isAddressedTo(note: Note, session: string): boolean {
  return (note.to === session || note.to === "all") && note.from !== session;
}

/** Notes after the cursor, in file order. */
export function notesAfter(notes: Note[], cursor: Cursor | undefined): Note[] {
  if (!cursor) return notes;
  const at = notes.findIndex((n) => n.id === cursor.id);
  if (at >= 0) return notes.slice(at + 1);
  const t = Date.parse(cursor.time);
  return notes.filter((n) => !(Date.parse(n.time) <= t));
}

/** Unread notes for a session, without marking them read. */
export function unreadNotes(ctx: ProjectContext, session: string): Note[] {
  const { notes } = readNotesCached(notesPath(ctx));
  return notesAfter(notes, readCursor(ctx, session)).filter((n) => isAddressedTo(n, session));
}

/**
 * How many notes wait for `session` (for the board and `braid status`). Cheap to poll: cached by file
 * size+mtime. Never throws: an unreadable notes file shows as 0 rather than breaking a view.
 */
export function unreadCount(ctx: ProjectContext, session: string): number {
  try {
    return unreadNotes(ctx, session).length;
  } catch {
    return 0;
  }
}

/**
 * Under the cursor lock (so two hooks firing at once cannot both deliver the same note): `step` sees the
 * notes and `session`'s cursor and may move the cursor to a note, which is then written back.
 */
function withCursor<T>(
  ctx: ProjectContext,
  session: string,
  step: (notes: Note[], cursor: Cursor | undefined) => { moveTo?: Note; result: T },
): Promise<T> {
  const file = cursorPath(ctx, session);
  mkdirSync(dirname(file), { recursive: true });
  return withLock(
    file,
    () => {
      const notesFile = notesPath(ctx);
      const before = markOf(statSync(notesFile, { throwIfNoEntry: false }));
      const { notes, bytes } = readNotesFile(notesFile);
      // The mark holds only if what was read is what was stat'ed: an append in between leaves it unset.
      const seen = before && bytes === before.size ? before : undefined;
      const cursor = readCursor(ctx, session);
      const { moveTo, result } = step(notes, cursor);
      const to = moveTo ?? cursor;
      if (to && (moveTo || !sameMark(cursor?.seen, seen)))
        writeFileAtomic(file, `${JSON.stringify({ id: to.id, time: to.time, ...(seen ? { seen } : {}) })}\n`);
      if (seen && to) markSeen(notesSeenFileOf(ctx.project.stateDir, session), notesFile, seen);
      return result;
    },
    COORD_LOCK,
  );
}

/** The session's unread notes, marked read in the same step. */
export async function takeUnread(ctx: ProjectContext, session: string): Promise<Note[]> {
  // The common case, a file unchanged since the cursor last saw it: no lock, no parse.
  if (nothingNewSince(notesPath(ctx), cursorPath(ctx, session), notesSeenFileOf(ctx.project.stateDir, session)))
    return [];
  return withCursor(ctx, session, (notes, cursor) => {
    const fresh = notesAfter(notes, cursor);
    return { moveTo: fresh[fresh.length - 1], result: fresh.filter((n) => isAddressedTo(n, session)) };
  });
}

/**
 * Move a session's cursor to `upTo` (a note it was just given some other way, e.g. typed into an agent
 * without hooks by `braid send --notes`). Never moves a cursor backwards.
 */
export async function markRead(ctx: ProjectContext, session: string, upTo: Note): Promise<void> {
  await withCursor(ctx, session, (notes, cursor) => ({
    moveTo: notesAfter(notes, cursor).some((n) => n.id === upTo.id) ? upTo : undefined,
    result: undefined,
  }));
}
