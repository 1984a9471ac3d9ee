/** Everything a command needs about "this project": identity, effective config, state registry. */
import type { Config } from "./config.js";
import { loadConfigFast } from "./config-fast.js";
import { type Project, resolveProject } from "./identity.js";
import { StateStore } from "./state.js";

export interface ProjectContext {
  project: Project;
  config: Config;
  store: StateStore;
}

export async function loadContext(cwd: string = process.cwd()): Promise<ProjectContext> {
  const project = await resolveProject(cwd);
  const config = await loadConfigFast(project.mainWorktree, project.stateDir);
  return { project, config, store: new StateStore(project.stateDir) };
}
