/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerLs } from "./ls.js";
import { registerNew } from "./new.js";
import { registerSwarm } from "./swarm.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerSwarm(program);
}
