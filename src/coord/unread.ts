/**
 * Per-session read cursors: the id of the newest note a session has been given. A note is unread
 * for a session when it is addressed to it or to all, was written by someone else, and is newer than
 * its cursor. Cursors remember the notes file's epoch: if the file was deleted and started over,
 * every cursor counts from zero again instead of hiding the new notes.
 */
import { readFileSync } from "node:fs";
import { withLock, writeFileAtomic } from "../fsutil.js";
import type { ProjectContext } from "../project/context.js";
import { type Note, type NotesFile, readNotesCached, readNotesLocked } from "./notes.js";
import { COORD_LOCK, cursorsPath, notesPath } from "./paths.js";

interface CursorFile {
  epoch: string | null;
  cursors: Record<string, number>;
}

function readCursors(file: string): CursorFile {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as CursorFile;
    if (data && typeof data.cursors === "object" && data.cursors !== null) {
      return { epoch: typeof data.epoch === "string" ? data.epoch : null, cursors: data.cursors };
    }
  } catch {
    /* missing or damaged: every session starts from the first note, which re-delivers rather than loses */
  }
  return { epoch: null, cursors: {} };
}

function cursorOf(c: CursorFile, session: string, epoch: string | null): number {
  if (c.epoch !== epoch) return 0;
  const v = c.cursors[session];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Is this note meant for `session` (addressed to it or to all, not its own)? */
export function isAddressedTo(note: Note, session: string): boolean {
  return (note.to === session || note.to === "all") && note.from !== session;
}

function unreadIn(file: NotesFile, session: string, cursor: number): Note[] {
  return file.notes.filter((n) => n.id > cursor && isAddressedTo(n, session));
}

/** Unread notes for a session, without marking them read. */
export function unreadNotes(ctx: ProjectContext, session: string): Note[] {
  const file = readNotesCached(notesPath(ctx));
  return unreadIn(file, session, cursorOf(readCursors(cursorsPath(ctx)), session, file.epoch));
}

/** How many notes wait for `session` (for the board and `braid status`). Cheap to poll: cached by file size+mtime. */
export function unreadCount(ctx: ProjectContext, session: string): number {
  return unreadNotes(ctx, session).length;
}

/**
 * The session's unread notes, marked read in the same step (under the cursor lock, so two hooks firing
 * at once cannot both deliver the same note).
 */
export async function takeUnread(ctx: ProjectContext, session: string): Promise<Note[]> {
  const file = cursorsPath(ctx);
  return withLock(
    file,
    async () => {
      const notes = await readNotesLocked(notesPath(ctx));
      const cursors = readCursors(file);
      const unread = unreadIn(notes, session, cursorOf(cursors, session, notes.epoch));
      const newest = notes.notes.reduce((m, n) => Math.max(m, n.id), 0);
      if (cursors.epoch !== notes.epoch) {
        cursors.epoch = notes.epoch;
        cursors.cursors = {};
      }
      if (newest > (cursors.cursors[session] ?? 0)) {
        cursors.cursors[session] = newest;
        writeFileAtomic(file, `${JSON.stringify(cursors, null, 2)}\n`);
      }
      return unread;
    },
    COORD_LOCK,
  );
}
