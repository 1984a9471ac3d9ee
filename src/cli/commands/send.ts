import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { sendToSession } from "../../session/interact.js";
import { sendUnreadNotes } from "../../session/send-notes.js";
import { act } from "../act.js";
import { print } from "../output.js";

export function registerSend(program: Command): void {
  program
    .command("send <name> [text...]")
    .description("type text into the session's agent and press Enter (passed to tmux literally, never via a shell)")
    .option("--notes", "type the session's unread notes instead (for agents without hooks); marks them read")
    .action(
      act(async (name: string, words: string[], opts: { notes?: boolean }) => {
        const ctx = await loadContext();
        if (opts.notes) {
          if (words.length) throw new BraidError("--notes takes no text", `run braid send ${name} --notes on its own`);
          const r = await sendUnreadNotes(ctx, name);
          print(r === 0 ? `no unread notes for ${name}` : `sent ${r} note(s) to ${name}`);
          return 0;
        }
        if (!words.length) throw new BraidError("nothing to send", `braid send ${name} "text" (or --notes)`);
        await sendToSession(ctx, name, words.join(" "));
        print(`sent to ${name}`);
        return 0;
      }),
    );
}
