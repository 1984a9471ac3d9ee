/**
 * The effective config without loading the schema validator (zod, the biggest start-up cost) when
 * nothing changed since it last ran:
 * - no config file at all → the schema's defaults, precomputed at build time (scripts/gen-config-defaults.mjs);
 * - otherwise → the last validated result, cached in the repo's state dir and keyed by the files'
 *   content and the compiled schema's mtime. Anything else (first run, edited file, new build) → full load.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../infra/fsutil.js";
import type { Config } from "./config.js";
import { globalConfigPath, PROJECT_CONFIG_FILE } from "./paths.js";
import type { TrustGate } from "./trust.js";

const DEFAULTS_URL = new URL("./config-defaults.json", import.meta.url);
const SCHEMA_URL = new URL("./config.js", import.meta.url);

function mtime(p: string | URL): number | null {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return null;
  }
}

/** Content, not mtime: coarse file timestamps could miss two quick edits of the same size. */
function fileKey(p: string): string {
  try {
    return `${p}\0${readFileSync(p, "utf8")}`;
  } catch {
    return `${p}\0-`;
  }
}

function precomputedDefaults(): Config | null {
  const d = mtime(DEFAULTS_URL);
  const s = mtime(SCHEMA_URL);
  // Older than the compiled schema: a key was added since the build step ran.
  if (d === null || s === null || d < s) return null;
  try {
    return JSON.parse(readFileSync(DEFAULTS_URL, "utf8")) as Config;
  } catch {
    return null;
  }
}

interface CacheFile {
  key: string;
  /** With every project key. */
  config: Config;
  /** Without the project's gated keys (what applies while they are not trusted). */
  fallback: Config;
  /** The project file's gated values (trust.ts), to check the trust on every load without parsing. */
  gated: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** The trust decision for the project file's gated keys (null: no project file). */
  gate: TrustGate | null;
  projectPath: string | null;
}

/** `stateDir`: where to cache a validated config (the repo's braid state dir); none → no cache. */
export async function loadConfigFast(mainWorktree?: string, stateDir?: string): Promise<Config> {
  return (await loadConfigGated(mainWorktree, stateDir)).config;
}

/** The effective config with untrusted project keys left out, and the trust decision (for the warning). */
export async function loadConfigGated(mainWorktree?: string, stateDir?: string): Promise<LoadedConfig> {
  const globalPath = globalConfigPath();
  const projectPath = mainWorktree ? join(mainWorktree, PROJECT_CONFIG_FILE) : null;
  const hasProject = Boolean(projectPath && existsSync(projectPath));
  if (!existsSync(globalPath) && !hasProject) {
    const d = precomputedDefaults();
    if (d) return { config: d, gate: null, projectPath: null };
  }
  // Loaded only past the no-config path above.
  const { gatedValues, trustGate } = await import("./trust.js");
  const cacheFile = stateDir ? join(stateDir, "config-cache.json") : null;
  // The files' content itself, not a digest of it: a few hundred bytes to compare, and no node:crypto to load.
  const key = [fileKey(globalPath), projectPath ? fileKey(projectPath) : "", `schema:${mtime(SCHEMA_URL)}`].join("\0");
  const decide = (c: CacheFile): LoadedConfig => {
    if (!hasProject || !mainWorktree) return { config: c.config, gate: null, projectPath: null };
    const gate = trustGate(c.gated, mainWorktree, stateDir ? dirname(stateDir) : mainWorktree);
    return { config: gate.trusted ? c.config : c.fallback, gate, projectPath };
  };
  if (cacheFile) {
    try {
      const c = JSON.parse(readFileSync(cacheFile, "utf8")) as CacheFile;
      if (c.key === key && c.config && c.fallback && c.gated) return decide(c);
    } catch {
      /* no or unreadable cache: validate below */
    }
  }
  const { loadConfig } = await import("./config.js");
  const full = loadConfig(mainWorktree);
  const gated = mainWorktree ? gatedValues(full.projectRaw, mainWorktree) : {};
  const fallback = Object.keys(gated).length
    ? loadConfig(mainWorktree, { omitProjectKeys: Object.keys(gated) }).config
    : full.config;
  const entry: CacheFile = { key, config: full.config, fallback, gated };
  // Written even where no session made the state dir yet: without it, every command validated anew (zod: ~60 ms).
  if (cacheFile) {
    try {
      writeFileAtomic(cacheFile, JSON.stringify(entry));
    } catch {
      /* a read-only state dir only costs speed */
    }
  }
  return decide(entry);
}
