import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { restartLost, restartSession } from "../../session/control.js";
import { act } from "../act.js";
import { print, printJson, printWarning } from "../output.js";

export function registerRestart(program: Command): void {
  program
    .command("restart [name]")
    .description("stop the agent if it runs and start it again, resuming its conversation (claude --resume)")
    .option("--all", "restart every lost session (its tmux server is gone), each in its own conversation")
    .option("--json", "print the session as JSON")
    .action(
      act(async (name: string | undefined, opts: { all?: boolean; json?: boolean }) => {
        if (Boolean(name) === Boolean(opts.all))
          throw new BraidError(
            "name one session, or pass --all (not both)",
            "braid restart NAME | braid restart --all",
          );
        const ctx = await loadContext();
        if (opts.all) {
          const r = await restartLost(ctx);
          if (opts.json) {
            printJson({
              restarted: r.restarted.map((x) => ({
                session: x.record,
                queued: x.queued,
                queuePosition: x.queuePosition,
              })),
              failed: r.failed,
            });
          } else {
            if (r.restarted.length === 0 && r.failed.length === 0) print("no lost sessions");
            for (const x of r.restarted)
              print(x.queued ? `queued ${x.record.name}` : `restarted ${x.record.name} (${x.record.agent})`);
            for (const f of r.failed) printWarning(`${f.name}: ${f.error}`);
          }
          return r.failed.length ? 1 : 0;
        }
        const r = await restartSession(ctx, name as string);
        if (opts.json) printJson({ session: r.record, queued: r.queued, queuePosition: r.queuePosition });
        else if (r.queued) print(`queued ${name} (#${r.queuePosition} in line)`);
        else print(`restarted ${name} (${r.record.agent})`);
        return 0;
      }),
    );
}
