import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { sendToSession } from "../../session/interact.js";
import { print } from "../output.js";
import { act } from "../program.js";

export function registerSend(program: Command): void {
  program
    .command("send <name> <text...>")
    .description("type text into the session's agent and press Enter (passed to tmux literally, never via a shell)")
    .action(
      act(async (name: string, words: string[]) => {
        await sendToSession(await loadContext(), name, words.join(" "));
        print(`sent to ${name}`);
        return 0;
      }),
    );
}
