/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerConfig } from "./config.js";
import { registerDoctor } from "./doctor.js";
import { registerLs } from "./ls.js";
import { registerNew } from "./new.js";
import { registerRecommend } from "./recommend.js";
import { registerRm } from "./rm.js";
import { registerTrust } from "./trust.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerRm(program);
  registerRecommend(program);
  registerTrust(program);
  registerConfig(program);
  registerDoctor(program);
}
