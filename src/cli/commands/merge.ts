import type { Command } from "commander";
import { BraidError } from "../../errors.js";
import { STRATEGIES, type Strategy } from "../../merge/steps.js";
import { runTrain, type TrainReport } from "../../merge/train.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";
import { paint, print, printJson } from "../output.js";

export interface MergeCliOptions {
  allDone?: boolean;
  strategy?: string;
  verify?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function parseStrategy(s: string | undefined): Strategy {
  if (s === undefined) return "merge";
  if ((STRATEGIES as string[]).includes(s)) return s as Strategy;
  throw new BraidError(`unknown merge strategy "${s}"`, `use one of: ${STRATEGIES.join(", ")}`);
}

export function renderTrain(r: TrainReport): string {
  const lines: string[] = [];
  for (const n of r.recovered) lines.push(`recovered: ${n.action} ${n.path}${n.detail ? ` (${n.detail})` : ""}`);
  const verb = r.dryRun ? "would merge" : r.moved ? "merged" : "passed (not applied)";
  for (const m of r.merged) {
    const v = m.verifyMs === null ? "" : `, verify ${m.verifyMs} ms`;
    lines.push(`${paint("green", verb)} ${m.name} (${m.branch})${m.empty ? " — already integrated" : ""}${v}`);
  }
  if (r.stoppedAt) {
    const s = r.stoppedAt;
    const what =
      s.reason === "conflict"
        ? `conflict in ${s.conflictFiles.join(", ")}`
        : s.reason === "base-moved"
          ? `${r.baseRef} moved during the train`
          : s.reason.replace("-", " ");
    lines.push(`${paint("red", "stopped")} at ${s.name}: ${what}`);
    if (s.output && s.reason !== "conflict") lines.push(s.output.replace(/^/gm, "  | "));
    if (r.integrationWorktree) lines.push(`integration worktree kept for inspection: ${r.integrationWorktree}`);
    lines.push(`${r.baseRef} was not changed (still ${r.oldBase.slice(0, 12)})`);
  }
  for (const n of r.notMerged) lines.push(`not merged: ${n.name} — ${n.reason}`);
  if (r.moved) lines.push(`${r.baseRef}: ${r.oldBase.slice(0, 12)} → ${r.newBase.slice(0, 12)}`);
  for (const c of r.checkouts) lines.push(`checkout ${c.path}: ${c.reason}`);
  if (r.notified.length) lines.push(`told ${r.notified.join(", ")} to rebase or merge ${r.baseRef}`);
  if (!r.merged.length && !r.stoppedAt && !r.notMerged.length) lines.push("nothing to merge");
  if (r.dryRun) lines.push("dry run: no ref was moved");
  return lines.join("\n");
}

/** The stable JSON shape of a train report (README: JSON shapes). */
export function trainJson(r: TrainReport) {
  return r;
}

export function registerMerge(program: Command): void {
  program
    .command("merge [names...]")
    .description("merge sessions into the base branch in cascade order, verifying each step (merge train)")
    .option("--all-done", "merge every done/idle session with commits (the default when no names are given)")
    .option("--strategy <strategy>", "merge | squash | rebase", "merge")
    .option("--verify <cmd>", "command each step must pass (default: config `verify`)")
    .option("--dry-run", "run the train in the scratch worktree but move no ref")
    .option("--json", "machine-readable report (see README: JSON shapes)")
    .action(
      act(async (names: string[], opts: MergeCliOptions) => {
        if (names.length && opts.allDone)
          throw new BraidError("give session names or --all-done, not both", "drop one of them");
        const strategy = parseStrategy(opts.strategy);
        const ctx = await loadContext();
        const r = await runTrain(ctx, {
          names,
          strategy,
          verify: opts.verify,
          dryRun: opts.dryRun,
        });
        if (opts.json) printJson(trainJson(r));
        else print(renderTrain(r));
        return r.stoppedAt ? 1 : 0;
      }),
    );
}
