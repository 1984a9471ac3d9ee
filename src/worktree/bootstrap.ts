/**
 * Make a fresh worktree ready to work in: `.worktreeinclude` files, large `copy` directories, then
 * the (trusted) setup commands. Each step reports what it did; nothing here deletes anything.
 */
import { existsSync, lstatSync, mkdirSync } from "node:fs";
import { cp, symlink } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { BraidError } from "../errors.js";
import { gitTry } from "../git/git.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { copyTree } from "./copy.js";
import { includedPaths } from "./include.js";
import { runSetup } from "./setup.js";
import { keyTrusted, setupPlan } from "./trust.js";

export interface BootstrapReport {
  /** Paths copied because of `.worktreeinclude` (relative; directories end with "/"). */
  included: string[];
  /** `copy` directories brought over. */
  copied: Array<{ path: string; mode: "copy" | "symlink"; files: number; ms: number }>;
  /** `copy` entries skipped, with why. */
  skipped: Array<{ path: string; reason: string }>;
  setup: { commands: number; ran: boolean; trusted: boolean };
  warnings: string[];
}

export async function bootstrapWorktree(ctx: ProjectContext, rec: SessionRecord): Promise<BootstrapReport> {
  const main = ctx.project.mainWorktree;
  const report: BootstrapReport = {
    included: [],
    copied: [],
    skipped: [],
    setup: { commands: 0, ran: false, trusted: true },
    warnings: [],
  };
  const copyDirs = new Set(ctx.config.copy.map((p) => normalize(p).replace(/\/+$/, "")));

  for (const rel of await includedPaths(main)) {
    const bare = rel.replace(/\/$/, "");
    if (copyDirs.has(bare)) continue; // handled below with its configured mode
    const dst = join(rec.path, bare);
    if (existsSync(dst)) continue;
    mkdirSync(dirname(dst), { recursive: true });
    if (rel.endsWith("/")) await copyTree(join(main, bare), dst);
    else await cp(join(main, bare), dst, { errorOnExist: false, force: false, preserveTimestamps: true });
    report.included.push(rel);
  }

  for (const rel of copyDirs) {
    const skip = await copySkipReason(main, rec.path, rel);
    if (skip) {
      report.skipped.push({ path: rel, reason: skip });
      continue;
    }
    const src = join(main, rel);
    const dst = join(rec.path, rel);
    mkdirSync(dirname(dst), { recursive: true });
    const t0 = performance.now();
    let files = 0;
    if (ctx.config.copy_mode === "symlink") await symlink(src, dst);
    else files = (await copyTree(src, dst)).files;
    report.copied.push({ path: rel, mode: ctx.config.copy_mode, files, ms: Math.round(performance.now() - t0) });
  }

  const { sessionEnv, shellTemplates } = await import("../services/env.js");
  const senv = await sessionEnv(ctx, rec);
  if (senv.warning) report.warnings.push(senv.warning);
  for (const key of ["services", "teardown"] as const) {
    const n = Object.keys(ctx.config[key]).length;
    if (n && !(await keyTrusted(ctx, key)))
      report.warnings.push(
        `${n} ${key === "services" ? "service(s)" : "teardown command(s)"} from braid.toml will not run until \`braid trust\``,
      );
  }
  const plan = await setupPlan(ctx);
  report.setup = { commands: plan.commands.length, ran: false, trusted: plan.trusted };
  if (plan.commands.length > 0 && !plan.trusted) {
    report.warnings.push(
      `skipped ${plan.commands.length} setup command(s) from braid.toml: not trusted yet — review them, run \`braid trust\`, then run them in ${rec.path}`,
    );
  } else if (plan.commands.length > 0) {
    const failure = await runSetup(plan.commands, {
      name: rec.name,
      branch: rec.branch,
      path: rec.path,
      mainWorktree: main,
      extra: senv.env,
      templates: shellTemplates(senv.values),
    });
    if (failure) {
      const how = failure.signal ? `signal ${failure.signal}` : `exit ${failure.code}`;
      throw new BraidError(
        `created ${rec.name} at ${rec.path}, but setup command \`${failure.command}\` failed (${how})`,
        `fix it and run it again in ${rec.path}, or remove the session with \`braid rm ${rec.name} --force\``,
      );
    }
    report.setup.ran = true;
  }
  return report;
}

/** Why a configured `copy` entry is not copied, or null when it should be. */
async function copySkipReason(main: string, dst: string, rel: string): Promise<string | null> {
  if (rel.startsWith("..") || rel.startsWith("/")) return "must be a path inside the repository";
  const src = join(main, rel);
  if (!existsSync(src)) return "does not exist in the main worktree";
  if (!lstatSync(src).isDirectory() && !lstatSync(src).isFile()) return "not a file or directory";
  // Only ignored paths: copying over tracked content would hide real differences between worktrees.
  const ignored = await gitTry(["check-ignore", "-q", "--", rel], { cwd: main, noOptionalLocks: true });
  if (ignored === null) return "not ignored by git (only git-ignored paths are copied)";
  if (existsSync(join(dst, rel))) return "already exists in the new worktree";
  return null;
}
