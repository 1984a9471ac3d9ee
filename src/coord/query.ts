/** Selecting notes for `braid notes`: by recipient, by time, or only a session's unread ones. */
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { currentSession } from "./author.js";
import { type Note, readNotesFile } from "./notes.js";
import { notesPath } from "./paths.js";
import { parseSince } from "./since.js";
import { type Cursor, isAddressedTo, takeUnread, unreadNotes } from "./unread.js";

export interface NotesQuery {
  unread?: boolean;
  /** Only notes addressed to this session (or to all), not written by it. */
  for?: string;
  since?: string;
  /** With unread: mark what is returned as read for that session. */
  markRead?: boolean;
}

export interface NotesResult {
  path: string;
  /** The session the unread/for filter applied to, if any. */
  session: string | null;
  notes: Note[];
  strayLines: number;
  /** The last note in the file when it was read: where `--follow` continues from. */
  last: Cursor | undefined;
}

export async function queryNotes(ctx: ProjectContext, q: NotesQuery): Promise<NotesResult> {
  const path = notesPath(ctx);
  const since = q.since !== undefined ? parseSince(q.since) : null;
  const session = q.for ?? (q.unread ? currentSession(ctx) : null);
  // "user" is the human: notes addressed to them can be listed like a session's.
  if (q.for !== undefined && q.for !== "user") ctx.store.require(q.for);
  if (q.unread && !session) {
    throw new BraidError("--unread needs a session", "pass --for NAME, or run it inside a session's worktree");
  }
  if (q.markRead && !q.unread) throw new BraidError("--mark-read only works with --unread", "add --unread --for NAME");
  const file = readNotesFile(path);
  let notes: Note[];
  if (q.unread && session) notes = q.markRead ? await takeUnread(ctx, session) : unreadNotes(ctx, session);
  else notes = session ? file.notes.filter((n) => isAddressedTo(n, session)) : file.notes;
  if (since) notes = notes.filter((n) => Date.parse(n.time) >= since.getTime());
  const end = file.notes[file.notes.length - 1];
  const last = end ? { id: end.id, time: end.time } : undefined;
  return { path, session, notes, strayLines: file.strayLines, last };
}
