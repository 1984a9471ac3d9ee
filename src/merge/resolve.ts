/**
 * `braid merge --resolve`: a stopped train hands the stopped session back to its own agent. braid types one
 * prompt into it (the same path as `braid send`): merge the base into your branch, resolve the named files,
 * make the verify command pass, commit. When the agent is done its session is idle again with the fix
 * committed, and the next train takes it like any other.
 */
import { isBraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { sendToSession } from "../session/interact.js";
import type { TrainStop } from "./steps.js";

export interface HandBack {
  name: string;
  /** True when the prompt was typed into the agent. */
  sent: boolean;
  prompt: string;
  /** Why it was not sent (e.g. the agent is not running), with what to do. */
  reason: string | null;
}

/** The one-line prompt (a newline would submit it half-typed). */
function resolvePrompt(stop: TrainStop, baseRef: string, verify: string | undefined): string {
  const what =
    stop.reason === "conflict"
      ? `it conflicts with ${baseRef} in ${stop.conflictFiles.join(", ")}`
      : stop.reason === "merge-error"
        ? `git could not merge it (${stop.output.split("\n")[0] ?? ""})`
        : `the verify command \`${verify ?? "verify"}\` failed on it`;
  const steps = [
    `run \`git merge ${baseRef}\` in your worktree`,
    stop.conflictFiles.length ? `resolve the conflicts in ${stop.conflictFiles.join(", ")}` : null,
    verify ? `make \`${verify}\` pass` : null,
    "commit the result",
  ].filter(Boolean);
  return `The braid merge train stopped at your branch: ${what}. Please ${steps.join(", then ")}. The next \`braid merge\` takes your branch again once you are done.`;
}

export async function handBack(
  ctx: ProjectContext,
  stop: TrainStop,
  baseRef: string,
  verify: string | undefined,
): Promise<HandBack | null> {
  if (stop.reason === "base-moved" || stop.reason === "verify-not-found") return null;
  const prompt = resolvePrompt(stop, baseRef, verify);
  try {
    await sendToSession(ctx, stop.name, prompt);
    return { name: stop.name, sent: true, prompt, reason: null };
  } catch (e) {
    if (!isBraidError(e)) throw e;
    return { name: stop.name, sent: false, prompt, reason: e.oneLine() };
  }
}
