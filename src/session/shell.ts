/**
 * `braid shell NAME`: a program (the user's $SHELL by default) in the view a session's agent has — the same
 * sandbox mounts and filtered environment for a sandboxed session, its worktree and session environment
 * (BRAID_*, ports, `env`) for one that is not. The CLI runs what this returns; commits made in a sandboxed
 * implementation session's shell land in its private git dir and are brought back by `afterExit`.
 */
import { braidBin } from "../agents/claude.js";
import { resolveAgent } from "../agents/index.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { isActive, type SessionRecord } from "../project/state.js";
import { runtimeOf } from "../runtime/run.js";
import { sandboxEnv } from "../sandbox/env.js";
import { decideSandbox } from "../sandbox/probe.js";
import { sandboxLaunch, syncSandbox } from "../sandbox/session.js";

export interface SessionShell {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  sandboxed: boolean;
  /** Run after the program exits: brings a sandboxed session's commits back. */
  afterExit: () => Promise<void>;
}

/** The terminal the user runs `braid shell` in (the agent's environment leaves these out). */
const TERMINAL = ["TERM", "COLUMNS", "LINES", "COLORTERM"];

export async function sessionShell(ctx: ProjectContext, rec: SessionRecord, command: string[]): Promise<SessionShell> {
  const { existsSync } = await import("node:fs");
  if (!existsSync(rec.path))
    throw new BraidError(`session "${rec.name}" has no worktree at ${rec.path}`, "run `braid doctor --fix`");
  const rt = runtimeOf(rec);
  // The session's own choice (its last run); one that never ran follows the `sandbox` setting.
  const sandboxed = decideSandbox(rt ? (rt.sandboxed ? "on" : "off") : ctx.config.sandbox);
  const { agentEnv } = await import("./launch.js");
  const { sessionEnv } = await import("../ports/env.js");
  const full: Record<string, string> = {
    ...agentEnv(ctx, rec, rt?.runId ?? "shell"),
    ...(await sessionEnv(ctx, rec)).env,
  };
  for (const k of TERMINAL) if (process.env[k] !== undefined) full[k] = process.env[k] as string;
  const argv = command.length ? command : [process.env.SHELL || "/bin/sh"];
  if (!sandboxed) {
    await (await import("../worktree/bootstrap.js")).fillOverlayMountPoints(ctx, rec);
    return { argv, env: full, cwd: rec.path, sandboxed, afterExit: async () => undefined };
  }
  const adapter = resolveAgent(ctx.config, rt?.agent ?? rec.agent ?? ctx.config.agent);
  const running = isActive(rec.status);
  const sb = await sandboxLaunch(
    ctx,
    rec,
    argv,
    adapter.statePaths ?? [],
    { node: process.execPath, bin: braidBin() },
    // A running agent's private git dir is live: use it as it is.
    { reuseGitDir: running },
  );
  return {
    argv: sb.argv,
    env: sandboxEnv(full, TERMINAL),
    cwd: rec.path,
    sandboxed,
    afterExit: async () => {
      if (rec.type === "implementation") await syncSandbox(ctx, rec);
    },
  };
}
