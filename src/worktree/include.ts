/**
 * `.worktreeinclude`: git-ignored files a new worktree needs (.env, local config), in gitignore syntax.
 * A path is copied only if it matches AND git ignores it — the convention Claude Code, worktrunk and
 * gtr share — so tracked files are never overwritten and nothing unexpected is dragged along.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Ignore } from "ignore";
import { Repo } from "../git/repo.js";

export const INCLUDE_FILE = ".worktreeinclude";

/** Heavy trees only searched inside when a pattern names them: a basename rule like `.env` must not walk them. */
const HEAVY_DIRS = new Set(["node_modules", ".git", ".venv", "venv", "target", "dist", "build", ".cache"]);

export function readIncludePatterns(mainWorktree: string): string[] {
  const file = join(mainWorktree, INCLUDE_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() && !l.startsWith("#"));
}

/**
 * Paths (relative to the main worktree; directories end with "/") that match `.worktreeinclude`
 * and are ignored by git. A fully ignored directory that matches is returned whole; one that does
 * not match as a whole is searched for matching files inside.
 */
export async function includedPaths(
  mainWorktree: string,
  patterns = readIncludePatterns(mainWorktree),
): Promise<string[]> {
  if (patterns.length === 0) return [];
  const { default: ignore } = await import("ignore"); // only when there is a .worktreeinclude
  const ig = ignore().add(patterns);
  const result: string[] = [];
  for (const entry of await new Repo(mainWorktree).ignoredUntracked()) {
    if (ig.ignores(entry)) result.push(entry);
    else if (entry.endsWith("/") && mayMatchInside(entry, patterns)) {
      result.push(...(await walkMatches(mainWorktree, entry, ig)));
    }
  }
  return result;
}

function mayMatchInside(dir: string, patterns: string[]): boolean {
  const name = dir.replace(/\/$/, "").split("/").pop() ?? "";
  if (!HEAVY_DIRS.has(name)) return true;
  return patterns.some((p) => p.includes(name));
}

async function walkMatches(root: string, dir: string, ig: Ignore): Promise<string[]> {
  const found: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    const rel = `${dir}${e.name}${e.isDirectory() ? "/" : ""}`;
    if (ig.ignores(rel)) found.push(rel);
    else if (e.isDirectory() && !HEAVY_DIRS.has(e.name)) found.push(...(await walkMatches(root, rel, ig)));
  }
  return found;
}
