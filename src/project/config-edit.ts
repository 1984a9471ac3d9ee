/**
 * `braid config get|set|list`: read and change settings through the same schema as the files, so a
 * value `set` accepts is exactly a value the file would accept. Rewriting a file keeps its other
 * settings but not its comments (TOML round-trip).
 */
import { statSync } from "node:fs";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { BraidError } from "../infra/errors.js";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
import { CONFIG_KEYS, type Config, checkPortRange, configSchema, loadConfig, validatePartial } from "./config.js";
import { globalConfigPath } from "./paths.js";
import { projectConfigPath, readTomlFile } from "./toml-file.js";

export type ConfigSource = "default" | "global" | "project";

export interface ConfigEntry {
  key: string;
  value: unknown;
  source: ConfigSource;
}

/** Top-level key of a dotted path, checked against the schema. */
function checkKey(key: string): string[] {
  const parts = key.split(".");
  const top = parts[0] ?? "";
  if (!key || parts.some((p) => p === "") || !(CONFIG_KEYS as string[]).includes(top)) {
    throw new BraidError(`unknown config key "${key}"`, `known keys: ${CONFIG_KEYS.join(", ")}`);
  }
  return parts;
}

function getPath(obj: unknown, parts: string[]): unknown {
  let cur: unknown = obj;
  for (const p of parts) {
    if (cur === null || typeof cur !== "object" || !(p in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, parts: string[], value: unknown): void {
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
}

/** Every top-level setting with its effective value and where it came from. */
export function configList(mainWorktree?: string): ConfigEntry[] {
  const { config, globalPath, projectPath } = loadConfig(mainWorktree);
  const g = readTomlFile(globalPath);
  const p = projectPath ? readTomlFile(projectPath) : {};
  return CONFIG_KEYS.map((key) => ({
    key,
    value: config[key] ?? null,
    source: key in p ? "project" : key in g ? "global" : "default",
  }));
}

/** One setting: the effective value, or with `global` the global file's value. */
export function configGet(key: string, opts: { mainWorktree?: string; global?: boolean }): ConfigEntry {
  const parts = checkKey(key);
  if (opts.global) {
    const g = readTomlFile(globalConfigPath());
    const v = getPath(g, parts);
    const d = getPath(configSchema.parse({}), parts);
    return { key, value: v ?? d ?? null, source: v === undefined ? "default" : "global" };
  }
  const list = configList(opts.mainWorktree);
  const entry = list.find((e) => e.key === parts[0]) as ConfigEntry;
  return {
    key,
    value: getPath(entry.value, parts.slice(1)) ?? (parts.length > 1 ? null : entry.value),
    source: entry.source,
  };
}

/** A command-line value as TOML (`true`, `4`, `["a", "b"]`), falling back to a plain string. */
export function parseValue(raw: string): unknown {
  try {
    return parseToml(`v = ${raw}`).v;
  } catch {
    return raw;
  }
}

/** Change one setting in the project file (or the global one), validated before anything is written. */
export async function configSet(
  key: string,
  raw: string,
  opts: { mainWorktree?: string; global?: boolean },
): Promise<{ key: string; value: unknown; file: string }> {
  const parts = checkKey(key);
  if (!opts.global && !opts.mainWorktree) {
    throw new BraidError("not inside a git repository, so there is no braid.toml to change", "pass --global");
  }
  const file = opts.global ? globalConfigPath() : projectConfigPath(opts.mainWorktree as string);
  return withLock(file, () => {
    const tryWith = (value: unknown): Record<string, unknown> => {
      const data = readTomlFile(file);
      setPath(data, parts, value);
      const part = validatePartial(data, file);
      // Settings that constrain each other (ports + port_base): checked against what the other file sets.
      const under = opts.global ? {} : validatePartial(readTomlFile(globalConfigPath()), globalConfigPath());
      checkPortRange(configSchema.parse({ ...under, ...part }), file);
      return data;
    };
    const parsed = parseValue(raw);
    let value: unknown = parsed;
    let data: Record<string, unknown>;
    try {
      data = tryWith(parsed);
    } catch (e) {
      // `braid config set base 2024` means the string "2024" when the key wants a string.
      if (typeof parsed === "string") throw e;
      try {
        data = tryWith(raw);
        value = raw;
      } catch {
        throw e;
      }
    }
    writeFileAtomic(file, stringifyToml(data), { mode: existingMode(file) ?? 0o644 });
    return { key, value, file };
  });
}

/** A config file keeps its permissions (braid.toml is the user's file, often tracked). */
function existingMode(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

export type { Config };
