/**
 * `braid logs`: the agent's last output. A live screen is read from its runner (a tmux pane, with history); otherwise the
 * run's output.log (headless output, or the pane's text the wrapper saved at exit). Core only: the CLI prints.
 */
import { existsSync, statSync } from "node:fs";
import { BraidError } from "../infra/errors.js";
import { readTail } from "../infra/tail.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";
import { logLines, outputFile } from "../runtime/output.js";
import { readExit, runtimeOf } from "../runtime/run.js";
import type { RunnerKind, RunRef } from "../runtime/runner.js";
import { runnerFor } from "../runtime/runners.js";
import { reconcile } from "./cascade.js";
import { queuedError } from "./control.js";

export interface SessionLog {
  name: string;
  runner: RunnerKind;
  /** Whether the agent still runs. */
  running: boolean;
  /** `pane`: read from the live screen (a tmux pane); `file`: from `path`. */
  source: "pane" | "file";
  path: string | null;
  lines: string[];
}

interface Located {
  run: RunRef;
  running: boolean;
  file: string;
}

async function locate(ctx: ProjectContext, name: string): Promise<Located> {
  await reconcile(ctx);
  const rec = ctx.store.require(name);
  const rt = runtimeOf(rec);
  if (!rt && rec.status === "queued") throw queuedError(name, "is queued and has no output yet");
  if (!rt)
    throw new BraidError(`session "${name}" has not run an agent yet (${rec.status})`, `braid start ${name} <task>`);
  return {
    run: { ctx, name, rt },
    running: isActive(rec.status),
    file: rt.logPath ?? outputFile(ctx.project.stateDir, name, rt.runId),
  };
}

/** The live screen with history, when the session's runner has one. */
function liveText(run: RunRef, lines: number): Promise<string | null> {
  return runnerFor(run.rt).capture(run, lines);
}

/** The last `lines` lines of the session's output. */
export async function readSessionLog(ctx: ProjectContext, name: string, lines = 100): Promise<SessionLog> {
  const { run, running, file } = await locate(ctx, name);
  const base = { name, runner: run.rt.runner, running };
  // a run whose output is not kept here (on a host) is read where it is, running or not
  if (running || !existsSync(file)) {
    const text = await liveText(run, lines);
    if (text !== null) return { ...base, source: "pane", path: null, lines: logLines(text).slice(-lines) };
  }
  if (!existsSync(file))
    throw new BraidError(
      `no output was kept for "${name}" (its last run left no ${file})`,
      running ? `look at it live with \`braid attach ${name}\`` : `\`braid restart ${name}\` and try again`,
    );
  return { ...base, source: "file", path: file, lines: logLines(readTail(file, 1024 * 1024)).slice(-lines) };
}

/**
 * Lines of `next` that `prev` did not end with: the screen scrolls, so find prev's last (up to three)
 * non-blank lines in next, trying fewer when the oldest of them scrolled away.
 */
export function newLines(prev: string[], next: string[]): string[] {
  const nonBlank = (ls: string[]) => ls.map((l, i) => [l, i] as const).filter(([l]) => l.trim() !== "");
  const seen = nonBlank(prev).map(([l]) => l);
  const nb = nonBlank(next);
  for (let k = Math.min(3, seen.length); k >= 1; k--) {
    const tail = seen.slice(-k);
    for (let i = nb.length - k; i >= 0; i--) {
      if (tail.every((t, j) => nb[i + j]?.[0] === t)) return next.slice((nb[i + k - 1]?.[1] ?? -1) + 1);
    }
  }
  return next;
}

/**
 * Follow the output until the run ends or `stop()` says so: calls `emit` with new lines as they appear.
 * Files are read as they grow; a live pane is re-read every second.
 */
export async function followSessionLog(
  ctx: ProjectContext,
  name: string,
  emit: (lines: string[]) => void,
  stop: () => boolean,
  lines = 100,
): Promise<void> {
  const first = await readSessionLog(ctx, name, lines);
  emit(first.lines);
  const { run, file } = await locate(ctx, name);
  const ended = () => readExit(ctx.project.stateDir, name, run.rt.runId) !== null;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  if (first.source === "pane") {
    let prev = first.lines;
    while (!stop() && !ended()) {
      await sleep(1000);
      const text = await liveText(run, 2000);
      if (text === null) break;
      const next = logLines(text);
      const fresh = newLines(prev, next);
      if (fresh.length) emit(fresh);
      prev = next;
    }
    return;
  }
  let size = existsSync(file) ? statSync(file).size : 0;
  let partial = "";
  for (;;) {
    const done = ended() || stop();
    const now = existsSync(file) ? statSync(file).size : 0;
    if (now > size) {
      const text = partial + readTail(file, now - size);
      size = now;
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      const out = parts.flatMap((l) => logLines(l));
      if (out.length) emit(out);
    }
    if (done) break;
    await sleep(500);
  }
  if (partial) emit(logLines(partial));
}
