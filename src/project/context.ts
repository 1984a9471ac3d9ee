/** Everything a command needs about "this project": identity, effective config, state registry. */

import { warn } from "../infra/notices.js";
import type { Config } from "./config.js";
import { loadConfigGated } from "./config-fast.js";
import { type Project, resolveProject } from "./identity.js";
import { StateStore } from "./state.js";
import { sweepTrash } from "./trash.js";
import { type TrustGate, untrustedWarning } from "./trust.js";

export interface ProjectContext {
  project: Project;
  config: Config;
  store: StateStore;
  /** The trust decision for the project braid.toml's gated keys (absent: nothing gated was loaded). */
  trust?: TrustGate | null;
}

export interface LoadOptions {
  /**
   * Start background deletes for trash a killed `braid rm` left behind (default true: every command
   * finishes them). `braid doctor` reports and deletes them itself.
   */
  sweepTrash?: boolean;
}

export async function loadContext(cwd: string = process.cwd(), opts: LoadOptions = {}): Promise<ProjectContext> {
  const project = await resolveProject(cwd);
  if (opts.sweepTrash !== false) sweepTrash(project.stateDir);
  const { config, gate, projectPath } = await loadConfigGated(project.mainWorktree, project.stateDir);
  if (gate && !gate.trusted && projectPath) warn(untrustedWarning(gate, projectPath));
  return { project, config, store: new StateStore(project.stateDir), trust: gate };
}
