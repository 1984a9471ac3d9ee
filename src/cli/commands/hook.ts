import type { Command } from "commander";
import { runHookCli } from "../../session/hook.js";
import { act } from "../act.js";

/** Listed for --help; real invocations take the fast path in main.ts and never load commander. */
export function registerHook(program: Command): void {
  program
    .command("hook <event>")
    .description("(called by agents) record a Claude Code hook event read from stdin; always exits 0")
    .action(act(async (event: string) => runHookCli([event])));
}
