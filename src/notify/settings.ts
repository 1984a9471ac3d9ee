/**
 * The notification settings that may be used. The notify keys run a program or send data out, so a
 * repository's braid.toml (which arrives with `git pull`) must not set them on its own: a value the repo
 * sets is ignored — the user's global value, if any, applies — until trusted. trust-gated.
 */
import { existsSync } from "node:fs";
import type { Config } from "../project/config.js";
import { loadConfigFast } from "../project/config-fast.js";
import { globalConfigPath, PROJECT_CONFIG_FILE } from "../project/paths.js";

const NOTIFY_KEYS = ["notify_command", "notify_desktop", "notify_url"] as const;
type NotifyKey = (typeof NOTIFY_KEYS)[number];

interface NotifySettings {
  command: string[];
  desktop: boolean;
  url: string;
  events: string[];
  /** Keys the repository set that were ignored (not trusted). */
  ignored: NotifyKey[];
}

/**
 * Whether the repository's own value for a run-a-program key may be used. No trust mechanism covers the
 * notify keys yet (issue 13 builds the generic one): until it is wired here, repo values are never used.
 */
function repoKeyTrusted(_mainWorktree: string, _key: NotifyKey): boolean {
  return false;
}

export async function notifySettings(mainWorktree: string, stateDir: string): Promise<NotifySettings> {
  const config = await loadConfigFast(mainWorktree, stateDir);
  const projectFile = `${mainWorktree}/${PROJECT_CONFIG_FILE}`;
  const ignored: NotifyKey[] = [];
  const picked: Pick<Config, NotifyKey> = {
    notify_command: config.notify_command,
    notify_desktop: config.notify_desktop,
    notify_url: config.notify_url,
  };
  if (existsSync(projectFile)) {
    const { readTomlFile, configSchema } = await import("../project/config.js");
    const repo = readTomlFile(projectFile);
    const defaults = configSchema.parse({});
    const global = readTomlFile(globalConfigPath());
    for (const key of NOTIFY_KEYS) {
      if (!(key in repo) || repoKeyTrusted(mainWorktree, key)) continue;
      ignored.push(key);
      // the user's own global value (validated by loadConfigFast above), else the default
      (picked as Record<string, unknown>)[key] = key in global ? global[key] : defaults[key];
    }
  }
  return {
    command: picked.notify_command,
    desktop: picked.notify_desktop,
    url: picked.notify_url,
    events: config.notify_events,
    ignored,
  };
}
