/**
 * Submodules in a new worktree. Their URLs come from the repository (.gitmodules), so braid fetches only
 * the submodules the user already initialised in the main checkout (their URL is in the repo's own
 * config, which the user approved by running `git submodule init/update` there); for the others it warns.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { git, gitTry } from "../git/git.js";

/** Initialise the worktree's submodules the user already uses; returns one-line warnings. */
export async function initSubmodules(worktree: string): Promise<string[]> {
  if (!existsSync(join(worktree, ".gitmodules"))) return [];
  const listed = await gitTry(["config", "--file", ".gitmodules", "--get-regexp", "^submodule\\..*\\.path$"], {
    cwd: worktree,
  });
  const names = (listed ?? "")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice("submodule.".length, l.lastIndexOf(".path ")));
  if (names.length === 0) return [];
  const active: string[] = [];
  for (const n of names) if (await gitTry(["config", "--get", `submodule.${n}.url`], { cwd: worktree })) active.push(n);
  const warnings: string[] = [];
  const inactive = names.length - active.length;
  if (inactive > 0)
    warnings.push(
      `${inactive} submodule(s) are not initialised in the main checkout, so not here either: if you trust their URLs (.gitmodules), run \`git submodule update --init\` in ${worktree}`,
    );
  if (active.length > 0) {
    const r = await git(["submodule", "update", "--recursive"], { cwd: worktree, okCodes: [0, 1, 128] });
    if (r.code !== 0)
      warnings.push(
        `git submodule update failed in ${worktree} (${r.stderr.trim().split("\n").pop() ?? `exit ${r.code}`}): run it there yourself`,
      );
  }
  return warnings;
}
