/** `braid notes --follow`: yield notes posted after a given one, polling the file's size. */
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type Note, readNotesFile } from "./notes.js";
import { type Cursor, notesAfter } from "./unread.js";

export async function* followNotes(
  file: string,
  after: Cursor | undefined,
  signal: AbortSignal,
  intervalMs = 300,
): AsyncGenerator<Note> {
  let cursor = after;
  let seenSize = -1;
  while (!signal.aborted) {
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    if (size !== seenSize) {
      seenSize = size;
      for (const n of notesAfter(readNotesFile(file).notes, cursor)) {
        cursor = { id: n.id, time: n.time };
        yield n;
      }
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return;
    }
  }
}
