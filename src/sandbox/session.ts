/**
 * A session's sandbox: the mounts for its type, its private git dir (implementation), and the bubblewrap
 * argv that runs the agent inside. The exec wrapper (outside) runs that argv and syncs the branch back
 * whenever the private git dir changes (the launch dir's sandbox.json tells it what to watch and run).
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { type PrivateGitDir, preparePrivateGitDir, syncPrivateGitDir } from "../git/private-gitdir.js";
import type { ProjectContext } from "../project/context.js";
import { workflowsDir } from "../project/paths.js";
import type { SessionRecord } from "../project/state.js";
import { overlayArgv, overlayDirs, overlayRoot, prepareOverlays } from "./overlay.js";
import { bwrapArgs, sandboxMounts } from "./policy.js";
import { requireOverlaySupport } from "./probe.js";

export function sandboxDir(stateDir: string, name: string): string {
  return join(stateDir, "sandbox", name);
}

/** What the sandbox needs of a session (or of a swarm executor's sub-worktree, named under its session). */
export type SandboxTarget = Pick<SessionRecord, "name" | "path" | "type" | "branch">;

export function privateGitDirOf(ctx: ProjectContext, rec: SandboxTarget): PrivateGitDir {
  const dir = sandboxDir(ctx.project.stateDir, rec.name);
  return {
    mainWorktree: ctx.project.mainWorktree,
    commonDir: ctx.project.commonDir,
    worktree: rec.path,
    branch: rec.branch,
    name: rec.name,
    dir: join(dir, "git"),
    dotGitFile: join(dir, "dotgit"),
  };
}

/** What the exec wrapper needs: files whose change means "sync now", and the command that syncs. */
export interface SandboxWatch {
  watch: string[];
  sync: string[];
}

export interface SandboxedLaunch {
  argv: string[];
  watch: SandboxWatch | null;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The package caches an implementation session may fill (only those that exist). */
function cacheDirs(home: string): string[] {
  return [".npm", ".cache", ".cargo/registry", ".local/share/pnpm", ".yarn"]
    .map((d) => join(home, d))
    .filter((d) => existsSync(d));
}

/**
 * Wrap the agent's argv in the sandbox for `rec`. `statePaths`: the agent's own files under $HOME (made
 * if missing: a bind needs something to mount). `braid`: node + braid's launcher, for the sync command.
 */
export async function sandboxLaunch(
  ctx: ProjectContext,
  rec: SandboxTarget,
  argv: string[],
  statePaths: string[],
  braid: { node: string; bin: string },
  o: { reuseGitDir?: boolean } = {},
): Promise<SandboxedLaunch> {
  const home = real(process.env.HOME || homedir());
  const stateDir = ctx.project.stateDir;
  // A swarm executor ("<session>/swarm/<id>") shares its session's run dir.
  const runDir = join(stateDir, "run", rec.name.split("/")[0] as string);
  const logs = join(stateDir, "logs");
  const coord = workflowsDir();
  for (const d of [runDir, logs, coord]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const agentState = statePaths.map((p) => join(home, p));
  for (const p of agentState) {
    if (existsSync(p)) continue;
    // A name with a dot-suffix is a file (.claude.json), else a directory.
    if (/\.[a-z]+$/.test(p)) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, p.endsWith(".json") ? "{}\n" : "", { mode: 0o600 });
    } else mkdirSync(p, { recursive: true, mode: 0o700 });
  }
  const type = rec.type;
  let gitDir: PrivateGitDir | undefined;
  if (type === "implementation") {
    gitDir = privateGitDirOf(ctx, rec);
    if (!(o.reuseGitDir && existsSync(join(gitDir.dir, "HEAD")))) await preparePrivateGitDir(gitDir);
  }
  const braidRoot = dirname(dirname(braid.bin));
  const mounts = sandboxMounts({
    type,
    worktree: rec.path,
    visible: [ctx.project.mainWorktree, ctx.project.commonDir, rec.path, home, coord, braidRoot, dirname(braid.node)],
    shared: [coord, runDir, logs, ...agentState],
    implementationExtra: cacheDirs(home),
    ...(gitDir ? { privateGitDir: gitDir.dir, dotGitFile: gitDir.dotGitFile } : {}),
  });
  const watch = gitDir
    ? {
        watch: [
          join(gitDir.dir, "index"),
          join(gitDir.dir, "refs", "heads", rec.branch),
          join(gitDir.dir, "packed-refs"),
        ],
        sync: [braid.node, braid.bin, "_sandbox-sync", rec.name],
      }
    : null;
  // copy_mode = "overlay": the `copy` dirs mounted in a namespace of their own, bubblewrap inside it.
  const overlays =
    ctx.config.copy_mode === "overlay"
      ? overlayDirs(ctx.project.mainWorktree, rec.path, overlayRoot(sandboxDir(stateDir, rec.name)), ctx.config.copy)
      : [];
  if (overlays.length === 0) return { argv: ["bwrap", ...bwrapArgs(mounts, rec.path, argv)], watch };
  requireOverlaySupport();
  prepareOverlays(overlays);
  const asUser = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  return { argv: overlayArgv(overlays, ["bwrap", ...bwrapArgs(mounts, rec.path, argv, asUser)]), watch };
}

/** Bring a sandboxed session's commits and index back (the `_sandbox-sync` command, merge, rm). */
export async function syncSandbox(ctx: ProjectContext, rec: SandboxTarget): Promise<void> {
  const p = privateGitDirOf(ctx, rec);
  if (existsSync(join(p.dir, "HEAD"))) await syncPrivateGitDir(p);
}
