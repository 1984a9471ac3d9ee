/**
 * The sandbox for one-shot agents (swarm planners, executors and reviewers, fork questions): the same mounts
 * as a session of that type, applied to one invocation. An executor commits through a private git dir like
 * an implementation session; `after` brings its branch and index back once the agent has exited.
 */
import { braidBin } from "../agents/claude.js";
import type { SandboxWrap } from "../agents/invoke.js";
import type { ProjectContext } from "../project/context.js";
import { sandboxEnv } from "./env.js";
import { type SandboxTarget, sandboxLaunch, syncSandbox } from "./session.js";

export interface OneShotSandbox extends SandboxWrap {
  /** Bring an implementation target's commits and index back (nothing to do for read-only ones). */
  after: () => Promise<void>;
}

export function oneShotSandbox(ctx: ProjectContext, target: SandboxTarget, statePaths: string[]): OneShotSandbox {
  return {
    argv: async (argv) =>
      (await sandboxLaunch(ctx, target, argv, statePaths, { node: process.execPath, bin: braidBin() })).argv,
    env: (env) => sandboxEnv(env),
    after: async () => {
      if (target.type === "implementation") await syncSandbox(ctx, target);
    },
  };
}
