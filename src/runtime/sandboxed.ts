/**
 * A sandboxed run: any runner, with the agent's argv wrapped in bubblewrap (sandbox/session.ts) and its
 * environment trimmed (sandbox/env.ts). Only the launch differs; the exec wrapper stays outside the sandbox
 * and syncs the session's branch back from the private git dir (what to watch: the launch dir's sandbox.json).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { braidBin } from "../agents/claude.js";
import { sandboxEnv } from "../sandbox/env.js";
import { sandboxLaunch } from "../sandbox/session.js";
import type { Runner } from "./runner.js";

export function sandboxed(inner: Runner): Runner {
  return {
    ...inner,
    async launch(spec) {
      const sb = await sandboxLaunch(spec.ctx, spec.rec, spec.argv, spec.agentStatePaths, {
        node: process.execPath,
        bin: braidBin(),
      });
      // Read by the exec wrapper: what to watch, and how to bring the branch back.
      if (sb.watch) writeFileSync(join(spec.dir, "sandbox.json"), `${JSON.stringify(sb.watch)}\n`);
      return inner.launch({ ...spec, argv: sb.argv, env: sandboxEnv(spec.env, spec.agentEnvKeys) });
    },
  };
}
