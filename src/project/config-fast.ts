/**
 * The effective config without loading the schema validator when there is nothing to validate:
 * with no config file at all, the config is the schema's defaults, precomputed at build time
 * (scripts/gen-config-defaults.mjs). Any file present, or a stale/missing defaults file → full load.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Config } from "./config.js";
import { globalConfigPath, PROJECT_CONFIG_FILE } from "./paths.js";

const DEFAULTS_URL = new URL("./config-defaults.json", import.meta.url);
const SCHEMA_URL = new URL("./config.js", import.meta.url);

function precomputedDefaults(): Config | null {
  try {
    // Older than the compiled schema: a key was added since the build step ran.
    if (statSync(DEFAULTS_URL).mtimeMs < statSync(SCHEMA_URL).mtimeMs) return null;
    return JSON.parse(readFileSync(DEFAULTS_URL, "utf8")) as Config;
  } catch {
    return null;
  }
}

export async function loadConfigFast(mainWorktree?: string): Promise<Config> {
  const noFiles =
    !existsSync(globalConfigPath()) && !(mainWorktree && existsSync(`${mainWorktree}/${PROJECT_CONFIG_FILE}`));
  if (noFiles) {
    const d = precomputedDefaults();
    if (d) return d;
  }
  const { loadConfig } = await import("./config.js");
  return loadConfig(mainWorktree).config;
}
