import type { Command } from "commander";
import { cleanMerged } from "../../merge/clean.js";
import { parseStrategy } from "../../merge/steps.js";
import { runTrain } from "../../merge/train.js";
import { loadContext } from "../../project/context.js";
import { recordRuns } from "../../session/supervisor.js";
import { act } from "../act.js";
import { paint, print, printJson } from "../output.js";
import { renderClean } from "./clean.js";
import { renderTrain, trainFailed } from "./merge.js";

interface FinishFlags {
  strategy?: string;
  verify?: string;
  force?: boolean;
  commitWip?: boolean;
  atomic?: boolean;
  json?: boolean;
}

export function registerFinish(program: Command): void {
  program
    .command("finish")
    .description("merge train for all done sessions, then clean --merged")
    .option("--strategy <strategy>", "merge | squash | rebase", "merge")
    .option("--verify <cmd>", "command each step must pass (default: config `verify`)")
    .option("--commit-wip", "first commit leftover uncommitted work of done/idle sessions (authored as the agent)")
    .option("--atomic", "move the base only when every step passed (default: over the steps that passed)")
    .option("--force", "clean: also remove integrated sessions with uncommitted work (backed up first)")
    .option("--json", "machine-readable report: { merge, clean } (see README: JSON shapes)")
    .action(
      act(async (opts: FinishFlags) => {
        const strategy = parseStrategy(opts.strategy);
        const ctx = await loadContext();
        await recordRuns(ctx); // the train picks done/idle sessions from the registry
        const merge = await runTrain(ctx, {
          strategy,
          verify: opts.verify,
          commitWip: opts.commitWip,
          atomic: opts.atomic,
        });
        // Clean only after a train that did not stop: a stopped train leaves its sessions to be fixed.
        const clean = trainFailed(merge) ? null : await cleanMerged(ctx, { force: opts.force });
        // Sessions left out only because of uncommitted work: not a finished round, say how to take them.
        const leftOut = merge.notMerged.filter((n) => n.uncommitted);
        if (opts.json) printJson({ merge, clean });
        else {
          print(renderTrain(merge));
          if (clean) print(renderClean(clean));
          else print("clean skipped: the merge train stopped");
          for (const c of clean?.removed ?? [])
            if (c.agentStopped) print(`stopped ${c.name}'s agent (its session was removed)`);
          if (leftOut.length)
            print(
              `${paint("red", "left out")} ${leftOut.map((n) => `${n.name} (${n.uncommitted} uncommitted file${n.uncommitted === 1 ? "" : "s"})`).join(", ")}: run braid finish --commit-wip to commit and merge that work`,
            );
        }
        return trainFailed(merge) || clean?.refused.length || leftOut.length ? 1 : 0;
      }),
    );
}
