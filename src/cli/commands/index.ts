/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerBoard } from "./board.js";
import { registerCost } from "./cost.js";
import { registerLs } from "./ls.js";
import { registerNew } from "./new.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerCost(program);
  registerBoard(program);
}
