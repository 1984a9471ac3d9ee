/** `braid notes --follow`: yield notes appended after the given id, polling the file's size. */
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type Note, readNotesFile } from "./notes.js";

export async function* followNotes(
  file: string,
  afterId: number,
  signal: AbortSignal,
  intervalMs = 300,
): AsyncGenerator<Note> {
  let last = afterId;
  let epoch = readNotesFile(file).epoch;
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
      const f = readNotesFile(file);
      // The file was deleted and started over: its ids begin again at 1.
      if (f.epoch !== epoch) {
        epoch = f.epoch;
        last = 0;
      }
      // Hold back an entry whose write may still be in progress; it is shown whole on a later poll.
      const ready = f.tailComplete ? f.notes : f.notes.slice(0, -1);
      if (!f.tailComplete) seenSize = -1;
      for (const n of ready) {
        if (n.id > last) {
          last = n.id;
          yield n;
        }
      }
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return;
    }
  }
}
