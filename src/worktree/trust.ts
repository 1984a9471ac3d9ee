import { BraidError } from "../infra/errors.js";
import { loadConfigGated } from "../project/config-fast.js";
import type { ProjectContext } from "../project/context.js";
import { projectConfigPath, readTomlFile } from "../project/toml-file.js";
import { type TrustEntry, type TrustGate, writeTrust } from "../project/trust.js";

export { listTrust, revokeTrust, type TrustEntry, trustFilePath } from "../project/trust.js";

export interface SetupPlan {
  /** Commands that may run (global ones, and the project's once trusted). */
  commands: string[];
  /** Project setup commands skipped because the repository is not trusted. */
  skipped: string[];
  /** False when project setup commands were skipped. */
  trusted: boolean;
}

/** The gate as of now (re-read: `braid trust` must see the file as it is, not a cached decision). */
async function currentGate(ctx: ProjectContext): Promise<TrustGate | null> {
  return (await loadConfigGated(ctx.project.mainWorktree, ctx.project.stateDir)).gate;
}

/** The setup commands to run, and the project's ones skipped for lack of trust. */
export async function setupPlan(ctx: ProjectContext): Promise<SetupPlan> {
  const gate = ctx.trust === undefined ? await currentGate(ctx) : ctx.trust;
  if (!gate || gate.trusted || !gate.keys.includes("setup"))
    return { commands: ctx.config.setup, skipped: [], trusted: true };
  const raw = readTomlFile(projectConfigPath(ctx.project.mainWorktree)).setup;
  const skipped = Array.isArray(raw) ? raw.filter((c): c is string => typeof c === "string") : [];
  return { commands: ctx.config.setup, skipped, trusted: false };
}

/** Trust the repository's current gated content (commands, the files they name, its identity). */
export async function trustRepo(ctx: ProjectContext): Promise<TrustEntry & { alreadyTrusted: boolean }> {
  const gate = await currentGate(ctx);
  if (!gate || gate.keys.length === 0) {
    throw new BraidError(
      "this repository's braid.toml has nothing that needs trust (no commands, no outside paths)",
      "nothing to do: its settings already apply",
    );
  }
  const entry = await writeTrust(ctx.project.commonDir, gate);
  return { ...entry, alreadyTrusted: gate.trusted };
}

export { repoKeyUntrusted } from "../project/trust-keys.js";
