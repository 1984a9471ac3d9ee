import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { stopSession } from "../../session/control.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

export function registerStop(program: Command): void {
  program
    .command("stop <name>")
    .description("stop the session's agent (or take it out of the queue); the worktree and branch stay")
    .option("--json", "print the result as JSON")
    .action(
      act(async (name: string, opts: { json?: boolean }) => {
        const r = await stopSession(await loadContext(), name);
        if (opts.json) printJson(r);
        else print(r.stopped ? `stopped ${name} (was ${r.was}); worktree kept` : `${name} is not running (${r.was})`);
        return 0;
      }),
    );
}
