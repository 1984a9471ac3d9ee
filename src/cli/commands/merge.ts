import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { parseStrategy } from "../../merge/steps.js";
import { runTrain, type TrainHolder, type TrainReport } from "../../merge/train.js";
import { loadContext } from "../../project/context.js";
import { recordRuns } from "../../session/supervisor.js";
import { act } from "../act.js";
import { paint, print, printJson, printNotice } from "../output.js";

export interface MergeCliOptions {
  allDone?: boolean;
  strategy?: string;
  verify?: string;
  dryRun?: boolean;
  atomic?: boolean;
  resolve?: boolean;
  commitWip?: boolean;
  json?: boolean;
  wait?: boolean | string;
}

/** `--wait` without a number waits this long for another train. */
export const DEFAULT_WAIT_SECONDS = 600;

/**
 * `--wait [seconds]` → milliseconds (0 without --wait). commander hands `--wait auth` the word as its
 * value: a word that is not a number is a session name, given back to the names.
 */
export function parseWait(wait: boolean | string | undefined, names: string[]): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return DEFAULT_WAIT_SECONDS * 1000;
  if (/^\d+(\.\d+)?$/.test(wait)) {
    const s = Number(wait);
    if (s > 0) return Math.round(s * 1000);
    throw new BraidError(
      "--wait needs a number of seconds above 0",
      `e.g. --wait 300 (default ${DEFAULT_WAIT_SECONDS})`,
      2,
    );
  }
  if (wait.startsWith("-"))
    throw new BraidError(`--wait takes seconds, not "${wait}"`, `e.g. --wait 300 (default ${DEFAULT_WAIT_SECONDS})`, 2);
  names.unshift(wait);
  return DEFAULT_WAIT_SECONDS * 1000;
}

export function waitingLine(h: TrainHolder | null, waitMs: number): string {
  const what = h?.names?.length ? `${h.names.join(", ")}${h.baseRef ? ` into ${h.baseRef}` : ""}` : null;
  const who = h
    ? `the merge train of pid ${h.pid}${what ? ` (${what})` : ""}, running since ${h.startedAt}`
    : "another merge train";
  return `waiting for ${who} — up to ${Math.round(waitMs / 1000)} s`;
}

/** What the user (or the agent) does after a stop: one line. */
function nextStep(r: TrainReport): string | null {
  const s = r.stoppedAt;
  if (r.checkoutBlocked) {
    const b = r.checkoutBlocked;
    return `next: commit or stash your changes in ${b.path} (git stash), run braid merge again, then git stash pop`;
  }
  if (!s) return null;
  if (s.reason === "base-moved") return "next: run braid merge again (it starts from the new base)";
  if (s.reason === "verify-not-found")
    return "next: fix the verify command (config `verify` or --verify) and run braid merge again";
  if (r.handedBack?.sent)
    return `next: ${s.name}'s agent is resolving it; the next braid merge takes ${s.name} again once it is idle`;
  const fix =
    s.reason === "conflict"
      ? `merge ${r.baseRef} into ${s.name}'s branch in its worktree, resolve ${s.conflictFiles.join(", ")} and commit`
      : s.reason === "verify-failed"
        ? `fix ${s.name}'s branch until the verify command passes, and commit`
        : `look at the integration worktree, fix ${s.name}'s branch and commit`;
  const agent = r.handedBack ? "" : `braid merge --resolve (hands ${s.name} back to its agent), or `;
  return `next: ${agent}${fix}; then braid merge again`;
}

export function renderTrain(r: TrainReport): string {
  const lines: string[] = [];
  for (const n of r.recovered) lines.push(`recovered: ${n.action} ${n.path}${n.detail ? ` (${n.detail})` : ""}`);
  for (const w of r.committedWip)
    lines.push(
      w.commit
        ? `committed ${w.name}'s uncommitted work (${w.files} file${w.files === 1 ? "" : "s"}) as ${w.commit.slice(0, 12)}`
        : `did not commit ${w.name}'s uncommitted work: ${w.skipped}`,
    );
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
    // After another writer moved the base, "not changed" would be false: say who changed what, and the fix.
    if (s.reason === "base-moved")
      lines.push(
        `${r.baseRef} was moved by someone else meanwhile (this train left it alone) — run braid merge again to merge onto the new ${r.baseRef}`,
      );
  }
  if (r.checkoutBlocked) {
    const b = r.checkoutBlocked;
    const files = b.files.length ? `uncommitted changes to ${b.files.join(", ")} that the merge changes too` : b.error;
    lines.push(`${paint("red", `${r.baseRef} not moved`)}: your checkout ${b.path} has ${files} (git: ${b.error})`);
  }
  if (!r.moved && !r.dryRun && (r.stoppedAt || r.checkoutBlocked) && r.stoppedAt?.reason !== "base-moved")
    lines.push(`${r.baseRef} was not changed (still ${r.oldBase.slice(0, 12)})`);
  for (const n of r.notMerged) lines.push(`not merged: ${n.name} — ${n.reason}`);
  if (r.moved) lines.push(`${r.baseRef}: ${r.oldBase.slice(0, 12)} → ${r.newBase.slice(0, 12)}`);
  for (const c of r.checkouts) lines.push(`checkout ${c.path}: ${c.reason}`);
  if (r.notified.length) lines.push(`told ${r.notified.join(", ")} to rebase or merge ${r.baseRef}`);
  if (r.handedBack) {
    const h = r.handedBack;
    lines.push(
      h.sent
        ? `handed ${h.name} back to its agent: asked it to merge ${r.baseRef}, resolve and commit`
        : `could not hand ${h.name} back: ${h.reason}`,
    );
  }
  const next = nextStep(r);
  if (next) lines.push(next);
  if (!r.merged.length && !r.stoppedAt && !r.notMerged.length) lines.push("nothing to merge");
  if (r.dryRun) lines.push("dry run: no ref was moved");
  return lines.join("\n");
}

/** A train that stopped, or whose base could not move: exit 1. */
export function trainFailed(r: TrainReport): boolean {
  return r.stoppedAt !== null || r.checkoutBlocked !== null;
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
    .option("--atomic", "move the base only when every step passed (default: over the steps that passed)")
    .option("--commit-wip", "first commit leftover uncommitted work of done/idle sessions (authored as the agent)")
    .option("--resolve", "on a stop, ask the stopped session's agent to merge the base, resolve and commit")
    .option(
      "--wait [seconds]",
      `wait for a merge train already running (default ${DEFAULT_WAIT_SECONDS} s) instead of failing`,
    )
    .option("--json", "machine-readable report (see README: JSON shapes)")
    .action(
      act(async (names: string[], opts: MergeCliOptions) => {
        const waitMs = parseWait(opts.wait, names);
        if (names.length && opts.allDone)
          throw new BraidError("give session names or --all-done, not both", "drop one of them");
        const strategy = parseStrategy(opts.strategy);
        const ctx = await loadContext();
        await recordRuns(ctx); // the train picks done/idle sessions from the registry
        const r = await runTrain(ctx, {
          names,
          strategy,
          verify: opts.verify,
          dryRun: opts.dryRun,
          atomic: opts.atomic,
          resolve: opts.resolve,
          commitWip: opts.commitWip,
          waitMs,
          onWait: (holder, ms) => printNotice(waitingLine(holder, ms)),
        });
        if (opts.json) printJson(trainJson(r));
        else print(renderTrain(r));
        return trainFailed(r) ? 1 : 0;
      }),
    );
}
