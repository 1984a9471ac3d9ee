/**
 * The notification settings that may be used. The notify keys run a program or send data out, so a
 * repository's braid.toml (which arrives with `git pull`) must not set them on its own: a value the repo
 * sets is ignored — the user's global value, if any, applies — until trusted. trust-gated.
 */
import { loadConfigGated } from "../project/config-fast.js";

/** The notify keys that run a program or send data out (gated; `notify_desktop` only shows a local popup). */
const NOTIFY_KEYS = ["notify_command", "notify_url"] as const;
type NotifyKey = (typeof NOTIFY_KEYS)[number];

interface NotifySettings {
  command: string[];
  desktop: boolean;
  url: string;
  events: string[];
  /** Keys the repository set that were ignored (not trusted). */
  ignored: NotifyKey[];
}

export async function notifySettings(mainWorktree: string, stateDir: string): Promise<NotifySettings> {
  // The one trust gate (project/trust.ts) already left out untrusted repo values: the user's global ones apply.
  const { config, gate } = await loadConfigGated(mainWorktree, stateDir);
  const ignored = gate && !gate.trusted ? NOTIFY_KEYS.filter((k) => gate.keys.includes(k)) : [];
  return {
    command: config.notify_command,
    desktop: config.notify_desktop,
    url: config.notify_url,
    events: config.notify_events,
    ignored,
  };
}
