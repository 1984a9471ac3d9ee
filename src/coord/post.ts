/** Posting a note for a project: checks the text and names, infers the author, appends under the lock. */
import type { ProjectContext } from "../project/context.js";
import { inferAuthor, requireRecipient } from "./author.js";
import { appendNote, type Note } from "./notes.js";
import { notesPath } from "./paths.js";
import { checkText, MAX_NOTE_CHARS, requireName } from "./text.js";

export interface PostOptions {
  text: string;
  /** Default: the current worktree's session, else $BRAID_SESSION, else "user". */
  from?: string;
  /** Default "all". */
  to?: string;
}

export async function postNote(ctx: ProjectContext, opts: PostOptions): Promise<Note> {
  const text = checkText(opts.text, "note", MAX_NOTE_CHARS);
  const from = opts.from !== undefined ? requireName(opts.from, "--from") : inferAuthor(ctx);
  const to = requireRecipient(ctx, opts.to ?? "all");
  return appendNote(notesPath(ctx), { from, to, text });
}
