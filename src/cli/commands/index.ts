/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerAttach } from "./attach.js";
import { registerConfig } from "./config.js";
import { registerDoctor } from "./doctor.js";
import { registerHook } from "./hook.js";
import { registerLearn } from "./learn.js";
import { registerLs } from "./ls.js";
import { registerMemory } from "./memory.js";
import { registerNew } from "./new.js";
import { registerPump } from "./pump.js";
import { registerRecommend } from "./recommend.js";
import { registerRestart } from "./restart.js";
import { registerRm } from "./rm.js";
import { registerSend } from "./send.js";
import { registerStart } from "./start.js";
import { registerStatus } from "./status.js";
import { registerStop } from "./stop.js";
import { registerTrust } from "./trust.js";
import { registerNote } from "./note.js";
import { registerNotes } from "./notes.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerRm(program);
  registerRecommend(program);
  registerTrust(program);
  registerConfig(program);
  registerDoctor(program);
  registerStart(program);
  registerStatus(program);
  registerAttach(program);
  registerSend(program);
  registerStop(program);
  registerRestart(program);
  registerHook(program);
  registerPump(program);
  registerNote(program);
  registerNotes(program);
  registerLearn(program);
  registerMemory(program);
}
