/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerLearn } from "./learn.js";
import { registerLs } from "./ls.js";
import { registerMemory } from "./memory.js";
import { registerNew } from "./new.js";
import { registerNote } from "./note.js";
import { registerNotes } from "./notes.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerNote(program);
  registerNotes(program);
  registerLearn(program);
  registerMemory(program);
}
