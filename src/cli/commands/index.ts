/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerClean } from "./clean.js";
import { registerConflicts } from "./conflicts.js";
import { registerFinish } from "./finish.js";
import { registerLs } from "./ls.js";
import { registerMerge } from "./merge.js";
import { registerNew } from "./new.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerConflicts(program);
  registerMerge(program);
  registerFinish(program);
  registerClean(program);
}
