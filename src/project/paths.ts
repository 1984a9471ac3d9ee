/** Where braid keeps things outside a repository. Everything honours HOME/XDG so tests stay isolated. */
import { homedir } from "node:os";
import { join } from "node:path";

function home(): string {
  return process.env.HOME || homedir();
}

/** Global data: project slug registry, trust store. $BRAID_HOME, else $XDG_DATA_HOME/braid. */
export function braidHome(): string {
  if (process.env.BRAID_HOME) return process.env.BRAID_HOME;
  const xdg = process.env.XDG_DATA_HOME || join(home(), ".local", "share");
  return join(xdg, "braid");
}

/** Global config file: $XDG_CONFIG_HOME/braid/config.toml. */
export function globalConfigPath(): string {
  if (process.env.BRAID_CONFIG) return process.env.BRAID_CONFIG;
  const xdg = process.env.XDG_CONFIG_HOME || join(home(), ".config");
  return join(xdg, "braid", "config.toml");
}

/** The guide's shared workflow folder (memory/ and notes/), shared with the /workflow plugin. */
export function workflowsDir(): string {
  if (process.env.BRAID_WORKFLOWS_DIR) return process.env.BRAID_WORKFLOWS_DIR;
  if (process.env.BRAID_HOME) return join(process.env.BRAID_HOME, "workflows");
  return join(home(), ".claude", "workflows");
}

/** Name of the project's config file, at the root of the main worktree. */
export const PROJECT_CONFIG_FILE = "braid.toml";
