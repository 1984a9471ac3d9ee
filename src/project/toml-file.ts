/**
 * braid's TOML files read and parsed, not validated: apart from config.ts (and its schema, which loads zod), so
 * the paths that only need a file's raw values (the trust check of `setup`, plan files, `config set`) do not
 * load the validator.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { BraidError } from "../infra/errors.js";
import { PROJECT_CONFIG_FILE } from "./paths.js";

/** The project's config file: `braid.toml` at the root of the main worktree. */
export function projectConfigPath(mainWorktree: string): string {
  return join(mainWorktree, PROJECT_CONFIG_FILE);
}

/** Read and parse a TOML file (no validation); a one-line BraidError naming it as `what` when it cannot be read or parsed. */
export function parseTomlFile(path: string, what: string, syntaxHint: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BraidError(`cannot read ${what} ${path}: ${(e as Error).message}`, "check the file's permissions");
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { line?: number; column?: number };
    const first = String(err.message).split("\n")[0];
    // smol-toml's message spans lines (a code excerpt); keep one line but say where.
    const at = typeof err.line === "number" ? ` (line ${err.line}, column ${err.column ?? "?"})` : "";
    throw new BraidError(`${what} ${path} is not valid TOML${at}: ${first}`, syntaxHint);
  }
}

/** Read and parse one config file (no validation). Missing file → {}. */
export function readTomlFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  return parseTomlFile(path, "config", "fix the syntax or remove the file");
}
