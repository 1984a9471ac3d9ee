/** `braid send NAME --notes`: push unread notes to an agent without hooks, then mark them read. */

import { notesAsOneLine } from "../coord/deliver.js";
import { markRead, unreadNotes } from "../coord/unread.js";
import type { ProjectContext } from "../project/context.js";
import { sendToSession } from "./interact.js";

/** Returns how many notes were sent. They are marked read only after the agent got them. */
export async function sendUnreadNotes(ctx: ProjectContext, session: string): Promise<number> {
  ctx.store.require(session);
  const notes = unreadNotes(ctx, session);
  const last = notes[notes.length - 1];
  if (!last) return 0;
  await sendToSession(ctx, session, notesAsOneLine(notes));
  await markRead(ctx, session, last);
  return notes.length;
}
