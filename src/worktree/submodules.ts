/**
 * Submodules in a new worktree. Their URLs come from the repository (.gitmodules), so braid fetches only
 * the submodules the user already initialised in the main checkout (their URL is in the repo's own
 * config, which the user approved by running `git submodule init/update` there); for the others it warns.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Repo } from "../git/repo.js";

/** Initialise the worktree's submodules the user already uses; returns one-line warnings. */
export async function initSubmodules(worktree: string): Promise<string[]> {
  if (!existsSync(join(worktree, ".gitmodules"))) return [];
  const repo = new Repo(worktree);
  const listed = await repo.gitmodulesPaths();
  const names = (listed ?? "")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice("submodule.".length, l.lastIndexOf(".path ")));
  if (names.length === 0) return [];
  const active: string[] = [];
  for (const n of names) if (await repo.getConfig(`submodule.${n}.url`)) active.push(n);
  const warnings: string[] = [];
  const inactive = names.length - active.length;
  if (inactive > 0)
    warnings.push(
      `${inactive} submodule(s) are not initialised in the main checkout, so not here either: if you trust their URLs (.gitmodules), run \`git submodule update --init\` in ${worktree}`,
    );
  if (active.length > 0) {
    const r = await repo.updateSubmodules();
    if (r.code !== 0)
      warnings.push(
        `git submodule update failed in ${worktree} (${r.stderr.trim().split("\n").pop() ?? `exit ${r.code}`}): run it there yourself`,
      );
  }
  return warnings;
}
