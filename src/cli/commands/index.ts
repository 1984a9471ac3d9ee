/** Every command, registered in help order. Add one line per command module. */
import type { Command } from "commander";
import { registerAttach } from "./attach.js";
import { registerHook } from "./hook.js";
import { registerLs } from "./ls.js";
import { registerNew } from "./new.js";
import { registerPump } from "./pump.js";
import { registerRestart } from "./restart.js";
import { registerSend } from "./send.js";
import { registerStart } from "./start.js";
import { registerStatus } from "./status.js";
import { registerStop } from "./stop.js";

export function registerAll(program: Command): void {
  registerNew(program);
  registerLs(program);
  registerStart(program);
  registerStatus(program);
  registerAttach(program);
  registerSend(program);
  registerStop(program);
  registerRestart(program);
  registerHook(program);
  registerPump(program);
}
