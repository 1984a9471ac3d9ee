/** Per-key trust questions for features that must say (or refuse) when the repository's value was left out. */
import { loadConfigGated } from "./config-fast.js";
import type { ProjectContext } from "./context.js";

/**
 * Does the repository's braid.toml set `key` without being trusted? Its value is then already left out of
 * the effective config (see project/trust.ts); features that must say so (or refuse, like teardown) ask here.
 */
export async function repoKeyUntrusted(ctx: ProjectContext, key: string): Promise<boolean> {
  const gate =
    ctx.trust === undefined ? (await loadConfigGated(ctx.project.mainWorktree, ctx.project.stateDir)).gate : ctx.trust;
  return !!gate && !gate.trusted && gate.keys.includes(key);
}
