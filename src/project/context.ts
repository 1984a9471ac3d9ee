/** Everything a command needs about "this project": identity, effective config, state registry. */

import type { Config } from "./config.js";
import { loadConfigFast } from "./config-fast.js";
import { type Project, resolveProject } from "./identity.js";
import { StateStore } from "./state.js";
import { sweepTrash } from "./trash.js";

export interface ProjectContext {
  project: Project;
  config: Config;
  store: StateStore;
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
  const config = await loadConfigFast(project.mainWorktree, project.stateDir);
  return { project, config, store: new StateStore(project.stateDir) };
}
