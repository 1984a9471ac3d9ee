/**
 * Is a branch's work already in the base? Three answers that each prove nothing would be lost:
 * its tip is an ancestor of the base (merged), merging it changes nothing (same tree: e.g. merged
 * with edits, or cherry-picked), or its patches are in the base by patch-id (rebased or squash-merged).
 */
import { git, gitOut, gitTry } from "./git.js";

export type IntegratedHow = "ancestor" | "same-tree" | "patch-id";

async function patchIds(cwd: string, patchText: string): Promise<string[]> {
  if (!patchText.trim()) return [];
  const out = await gitOut(["patch-id", "--stable"], { cwd, input: patchText });
  return out
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter(Boolean);
}

const DIFF_OPTS = ["--no-color", "--no-ext-diff", "--no-renames", "--no-textconv"];

export async function integratedHow(cwd: string, tip: string, base: string): Promise<IntegratedHow | null> {
  const anc = await git(["merge-base", "--is-ancestor", tip, base], { cwd, okCodes: [0, 1] });
  if (anc.code === 0) return "ancestor";
  const merged = await git(["merge-tree", "--write-tree", base, tip], { cwd, okCodes: [0, 1] });
  const baseTree = await gitOut(["rev-parse", `${base}^{tree}`], { cwd });
  if (merged.code === 0 && merged.stdout.split("\n")[0] === baseTree) return "same-tree";
  // Every commit's patch is in the base (rebase / cherry-pick).
  const cherry = await gitOut(["cherry", base, tip], { cwd });
  const lines = cherry.split("\n").filter(Boolean);
  if (lines.length && lines.every((l) => l.startsWith("-"))) return "patch-id";
  // The whole branch as one patch equals one base commit (squash merge).
  const mb = await gitTry(["merge-base", base, tip], { cwd });
  if (!mb) return null;
  const whole = await patchIds(cwd, await gitOut(["diff", ...DIFF_OPTS, mb, tip], { cwd }));
  if (!whole[0]) return null;
  const onBase = await patchIds(
    cwd,
    await gitOut(["log", "-p", "--no-merges", ...DIFF_OPTS, `${mb}..${base}`], { cwd }),
  );
  return onBase.includes(whole[0]) ? "patch-id" : null;
}
