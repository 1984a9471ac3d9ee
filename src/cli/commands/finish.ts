import type { Command } from "commander";
import { cleanMerged } from "../../merge/clean.js";
import { parseStrategy } from "../../merge/steps.js";
import { runTrain } from "../../merge/train.js";
import { loadContext } from "../../project/context.js";
import { recordRuns } from "../../session/supervisor.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";
import { renderClean } from "./clean.js";
import { renderTrain } from "./merge.js";

export function registerFinish(program: Command): void {
  program
    .command("finish")
    .description("merge train for all done sessions, then clean --merged")
    .option("--strategy <strategy>", "merge | squash | rebase", "merge")
    .option("--verify <cmd>", "command each step must pass (default: config `verify`)")
    .option("--force", "clean: also remove integrated sessions with uncommitted work (backed up first)")
    .option("--json", "machine-readable report: { merge, clean } (see README: JSON shapes)")
    .action(
      act(async (opts: { strategy?: string; verify?: string; force?: boolean; json?: boolean }) => {
        const strategy = parseStrategy(opts.strategy);
        const ctx = await loadContext();
        await recordRuns(ctx); // the train picks done/idle sessions from the registry
        const merge = await runTrain(ctx, { strategy, verify: opts.verify });
        // Clean only after a train that did not stop: a stopped train leaves its sessions to be fixed.
        const clean = merge.stoppedAt ? null : await cleanMerged(ctx, { force: opts.force });
        if (opts.json) printJson({ merge, clean });
        else {
          print(renderTrain(merge));
          if (clean) print(renderClean(clean));
          else print("clean skipped: the merge train stopped");
        }
        return merge.stoppedAt || clean?.refused.length ? 1 : 0;
      }),
    );
}
