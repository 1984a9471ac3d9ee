import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { restartSession } from "../../session/control.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

export function registerRestart(program: Command): void {
  program
    .command("restart <name>")
    .description("stop the agent if it runs and start it again, resuming its conversation (claude --resume)")
    .option("--json", "print the session as JSON")
    .action(
      act(async (name: string, opts: { json?: boolean }) => {
        const r = await restartSession(await loadContext(), name);
        if (opts.json) printJson({ session: r.record, queued: r.queued, queuePosition: r.queuePosition });
        else if (r.queued) print(`queued ${name} (#${r.queuePosition} in line)`);
        else print(`restarted ${name} (${r.record.agent})`);
        return 0;
      }),
    );
}
