/**
 * Make a fresh worktree ready to work in: `.worktreeinclude` files, large `copy` directories, then
 * the (trusted) setup commands. Each step reports what it did; nothing here deletes anything.
 */
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { cp, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Repo } from "../git/repo.js";
import { BraidError } from "../infra/errors.js";
import { faultPause } from "../infra/faults.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { copyPaths, overlayDirs } from "../sandbox/overlay.js";
import { copyTree } from "./copy.js";
import { includedPaths } from "./include.js";
import { runSetup } from "./setup.js";
import { initSubmodules } from "./submodules.js";
import { repoKeyUntrusted, setupPlan } from "./trust.js";

export interface BootstrapReport {
  /** Paths copied because of `.worktreeinclude` (relative; directories end with "/"). */
  included: string[];
  /** `copy` directories brought over. */
  copied: Array<{ path: string; mode: "copy" | "symlink" | "overlay"; files: number; ms: number }>;
  /** `copy` entries skipped, with why. */
  skipped: Array<{ path: string; reason: string }>;
  setup: { commands: number; ran: boolean; trusted: boolean };
  warnings: string[];
}

/**
 * The two halves of a bootstrap: `files` (.worktreeinclude, `copy` dirs, submodules) and `setup` (the session's
 * environment and setup commands); both by default. A pool spare may get its files first and its setup when a
 * session takes it (worktree/pool.ts); `into` continues a report made by the first half.
 */
export interface BootstrapParts {
  files?: boolean;
  setup?: boolean;
  into?: BootstrapReport;
}

export async function bootstrapWorktree(
  ctx: ProjectContext,
  rec: SessionRecord,
  parts: BootstrapParts = {},
): Promise<BootstrapReport> {
  const report: BootstrapReport = parts.into ?? {
    included: [],
    copied: [],
    skipped: [],
    setup: { commands: 0, ran: false, trusted: true },
    warnings: [],
  };
  if (parts.files !== false) await bootstrapFiles(ctx, rec, report);
  if (parts.setup !== false) await bootstrapSetup(ctx, rec, report);
  return report;
}

async function bootstrapFiles(ctx: ProjectContext, rec: SessionRecord, report: BootstrapReport): Promise<void> {
  const main = ctx.project.mainWorktree;
  const copyDirs = new Set(copyPaths(ctx.config.copy));

  for (const rel of await includedPaths(main)) {
    const bare = rel.replace(/\/$/, "");
    if (copyDirs.has(bare)) continue; // handled below with its configured mode
    const dst = join(rec.path, bare);
    if (existsSync(dst)) continue;
    mkdirSync(dirname(dst), { recursive: true });
    await copyIntoPlace(dst, rec, async (tmp) => {
      if (rel.endsWith("/")) await copyTree(join(main, bare), tmp);
      else await cp(join(main, bare), tmp, { errorOnExist: false, force: false, preserveTimestamps: true });
    });
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
    let mode = ctx.config.copy_mode;
    if (mode === "symlink") await symlink(src, dst);
    // The mount point: a sandboxed run mounts the overlay there, an unsandboxed one copies into it first.
    else if (mode === "overlay" && lstatSync(src).isDirectory()) mkdirSync(dst);
    else {
      mode = "copy";
      files = (await copyIntoPlace(dst, rec, (tmp) => copyTree(src, tmp))).files;
    }
    report.copied.push({ path: rel, mode, files, ms: Math.round(performance.now() - t0) });
  }

  // Before setup: setup commands may need the submodules' files.
  report.warnings.push(...(await initSubmodules(rec.path)));
}

async function bootstrapSetup(ctx: ProjectContext, rec: SessionRecord, report: BootstrapReport): Promise<void> {
  const main = ctx.project.mainWorktree;

  const { sessionEnv, shellTemplates } = await import("../ports/env.js");
  const senv = await sessionEnv(ctx, rec);
  if (senv.warning) report.warnings.push(senv.warning);
  for (const key of ["services", "teardown"] as const) {
    if (await repoKeyUntrusted(ctx, key))
      report.warnings.push(
        `the ${key === "services" ? "services" : "teardown commands"} from braid.toml will not run until \`braid trust\``,
      );
  }
  const plan = await setupPlan(ctx);
  report.setup = { commands: plan.commands.length + plan.skipped.length, ran: false, trusted: plan.trusted };
  // (loadContext already warned once about every ignored key, setup included: say it again only without it.)
  if (plan.skipped.length > 0 && !ctx.trust) {
    report.warnings.push(
      `skipped ${plan.skipped.length} setup command(s) from braid.toml: not trusted yet — review them, run \`braid trust\`, then run them in ${rec.path}`,
    );
  }
  if (plan.commands.length > 0) {
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
        `fix it, then run \`braid new ${rec.name}\` again to finish the bootstrap, or remove the session with \`braid rm ${rec.name} --force\``,
      );
    }
    report.setup.ran = true;
  }
}

/**
 * `copy_mode = "overlay"` for a session that runs unsandboxed (no namespace to mount in): copy each `copy` dir
 * into its still-empty mount point, as `copy` mode would have at creation. Returns the paths copied.
 */
export async function fillOverlayMountPoints(ctx: ProjectContext, rec: SessionRecord): Promise<string[]> {
  if (ctx.config.copy_mode !== "overlay") return [];
  // The root only names layers; none is made here.
  const dirs = overlayDirs(ctx.project.mainWorktree, rec.path, "/nonexistent", ctx.config.copy);
  // A rename replaces the empty mount point; a kill before it leaves the point empty, to be filled next time.
  for (const d of dirs) await copyIntoPlace(d.target, rec, (tmp) => copyTree(d.lower, tmp));
  return dirs.map((d) => d.rel);
}

/** Suffix of a copy in progress: only a finished copy gets its real name, so a kill leaves no half copy there. */
export const PARTIAL_SUFFIX = ".braid-partial";

/** Copy to `dst.braid-partial`, then rename into place; on failure remove the partial copy and say why. */
async function copyIntoPlace<T>(dst: string, rec: SessionRecord, copy: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = `${dst}${PARTIAL_SUFFIX}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const r = await copy(tmp);
    faultPause("copy-before-rename");
    renameSync(tmp, dst);
    return r;
  } catch (e) {
    try {
      rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* what is left is removed by the rerun the error asks for, before it copies */
    }
    const err = e as NodeJS.ErrnoException;
    const full = err?.code === "ENOSPC" || /no space left|ENOSPC/i.test(String(err?.message));
    const problem = full ? "no space left on device" : `${err?.message ?? String(e)}`.split("\n")[0];
    throw new BraidError(
      `created ${rec.name} at ${rec.path}, but copying ${dst} failed: ${problem}`,
      `${full ? "free space, then " : ""}run \`braid new ${rec.name}\` again to finish it (or \`braid rm ${rec.name} --force\`)`,
    );
  }
}

/** Why a configured `copy` entry is not copied, or null when it should be. */
async function copySkipReason(main: string, dst: string, rel: string): Promise<string | null> {
  if (rel.startsWith("..") || rel.startsWith("/")) return "must be a path inside the repository";
  const src = join(main, rel);
  if (!existsSync(src)) return "does not exist in the main worktree";
  if (!lstatSync(src).isDirectory() && !lstatSync(src).isFile()) return "not a file or directory";
  // Only ignored paths: copying over tracked content would hide real differences between worktrees.
  if (!(await new Repo(main).isIgnored(rel))) return "not ignored by git (only git-ignored paths are copied)";
  if (existsSync(join(dst, rel))) return "already exists in the new worktree";
  return null;
}
