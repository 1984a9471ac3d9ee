/**
 * The runner registry: which `Runner` runs a recorded run, or a new one. The one place that knows every
 * runner; to add one, implement `Runner` (runner.ts) and add it to RUNNERS.
 */
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { isActive, type SessionRecord } from "../project/state.js";
import { headlessRunner } from "./headless-runner.js";
import { remoteRunner } from "./remote-runner.js";
import { runtimeOf, type SessionRuntime } from "./run.js";
import type { LookOptions, RunLook, Runner, RunnerKind, RunRef } from "./runner.js";
import { sandboxed } from "./sandboxed.js";
import { tmuxRunner } from "./tmux-runner.js";

const RUNNERS: Record<RunnerKind, Runner> = { tmux: tmuxRunner, headless: headlessRunner, remote: remoteRunner };

function known(kind: string): Runner | null {
  return Object.hasOwn(RUNNERS, kind) ? RUNNERS[kind as RunnerKind] : null;
}

/** The runner for a new run: tmux unless headless, in the sandbox when asked. */
export function chooseRunner(o: { headless: boolean; sandbox?: boolean }): Runner {
  const base = o.headless ? headlessRunner : tmuxRunner;
  return o.sandbox ? sandboxed(base) : base;
}

/** The runner of a recorded run; a BraidError for a kind this braid does not know (a newer braid's record). */
export function runnerFor(rt: Pick<SessionRuntime, "runner">): Runner {
  const r = known(rt.runner);
  if (!r)
    throw new BraidError(
      `this braid does not know the runner "${rt.runner}" a session was started with`,
      "use the braid version that started it",
    );
  return r;
}

/** Whether a terminal can attach to the recorded run. */
export function canAttach(rt: SessionRuntime | null): boolean {
  return rt !== null && known(rt.runner)?.attachable === true;
}

/**
 * Look at the runs of every active session (one call per runner, which batches per server or host),
 * keyed by session name. Sessions not running, or run by an unknown runner, have no entry.
 */
export async function lookRuns(
  ctx: ProjectContext,
  sessions: SessionRecord[],
  o: LookOptions = {},
): Promise<Map<string, RunLook>> {
  const byRunner = new Map<Runner, RunRef[]>();
  for (const s of sessions) {
    const rt = runtimeOf(s);
    const runner = rt && isActive(s.status) ? known(rt.runner) : null;
    if (!rt || !runner) continue;
    const refs = byRunner.get(runner) ?? [];
    refs.push({ ctx, name: s.name, rt });
    byRunner.set(runner, refs);
  }
  const all = new Map<string, RunLook>();
  for (const [runner, refs] of byRunner) for (const [k, v] of await runner.look(refs, o)) all.set(k, v);
  return all;
}
