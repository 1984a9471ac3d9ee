/**
 * Doctor's sandbox checks, each an isolated {find, repair}: bubblewrap missing or unable to create namespaces
 * (user namespaces disabled) where the settings or a session need it, overlayfs unmountable under
 * `copy_mode = "overlay"`, and the sandbox dirs (private git dir, overlay upper dirs) of sessions that are gone.
 *
 * Mounts never outlive a killed agent: the overlay lives in a mount namespace that ends with its last process
 * (sandbox/overlay.ts). What a kill leaves is files under `<state>/sandbox/<name>/`, which the stale check finds.
 * A private git dir is removed only after its commits are safe: a tip the repository lacks is fetched into
 * `refs/braid/backup/<name>/sandbox-<time>` first.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { privateCommit, privateHeadRef } from "../git/private-gitdir.js";
import { Repo } from "../git/repo.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { runtimeOf } from "../runtime/run.js";
import { requireOverlaySupport, sandboxSupport } from "../sandbox/probe.js";
import { sandboxDir } from "../sandbox/session.js";

export type SandboxFindingKind = "sandbox-unavailable" | "overlay-unavailable" | "stale-sandbox-dir";

export interface SandboxProblem {
  kind: SandboxFindingKind;
  where: string;
  message: string;
  fix: string;
  severity: "error" | "warning";
  /** Absent: nothing doctor can do (the user must). */
  repair?: () => Promise<void>;
}

export interface SandboxCheck {
  name: string;
  find: (ctx: ProjectContext) => Promise<SandboxProblem[]> | SandboxProblem[];
}

/** The registry's sessions, or null when it cannot be read (doctor reports that on its own). */
function sessionsOrNull(ctx: ProjectContext): SessionRecord[] | null {
  try {
    return ctx.store.sessions();
  } catch {
    return null;
  }
}

/** Whether anything here wants the sandbox: the setting, or a session whose last run was sandboxed. */
function sandboxWanted(ctx: ProjectContext): "on" | "auto" | null {
  if (ctx.config.sandbox === "on") return "on";
  const used = (sessionsOrNull(ctx) ?? []).some((s) => runtimeOf(s)?.sandboxed === true);
  if (used) return "on";
  return ctx.config.sandbox === "auto" ? "auto" : null;
}

const support: SandboxCheck = {
  name: "sandbox support",
  find: (ctx) => {
    const wanted = sandboxWanted(ctx);
    if (!wanted) return [];
    const s = sandboxSupport();
    if (s.ok) return [];
    return [
      {
        kind: "sandbox-unavailable",
        where: "bwrap",
        message:
          wanted === "on"
            ? `${s.problem}: sandboxed sessions cannot start`
            : `${s.problem}: sandbox = "auto" runs every session without the sandbox`,
        fix: s.fix ?? 'set sandbox = "off"',
        severity: wanted === "on" ? "error" : "warning",
      },
    ];
  },
};

const overlay: SandboxCheck = {
  name: "overlay support",
  find: (ctx) => {
    if (ctx.config.copy_mode !== "overlay" || !sandboxWanted(ctx) || !sandboxSupport().ok) return [];
    try {
      requireOverlaySupport();
      return [];
    } catch (e) {
      if (!(e instanceof BraidError)) throw e;
      return [
        {
          kind: "overlay-unavailable",
          where: "copy_mode",
          message: `${e.message}: sandboxed sessions cannot start with copy_mode = "overlay"`,
          fix: e.fix ?? 'set copy_mode = "copy"',
          severity: "error",
        },
      ];
    }
  },
};

/** Save the session's branch tip (from its private git dir) when no ref of the repository contains it; then remove. */
async function removeSandboxDir(ctx: ProjectContext, name: string, dir: string): Promise<void> {
  const cwd = ctx.project.mainWorktree;
  const gitDir = join(dir, "git");
  // The other refs there are copies of the repository's, made when the session started: only HEAD's is its own.
  const ref = existsSync(join(gitDir, "HEAD")) ? await privateHeadRef(cwd, gitDir) : null;
  const tip = ref ? await privateCommit(cwd, gitDir, ref) : null;
  if (tip) {
    const repo = new Repo(cwd);
    if (!(await repo.firstRefContaining(tip))) {
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      await repo.fetchForced(gitDir, [[ref as string, `refs/braid/backup/${name}/sandbox-${stamp}`]]);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

const stale: SandboxCheck = {
  name: "stale sandbox dirs",
  find: (ctx) => {
    const root = join(ctx.project.stateDir, "sandbox");
    if (!existsSync(root)) return [];
    const sessions = sessionsOrNull(ctx);
    if (!sessions) return []; // without the registry every dir would look stale
    const live = new Set(sessions.map((s) => s.name));
    return readdirSync(root)
      .filter((name) => !live.has(name))
      .map((name) => {
        const dir = sandboxDir(ctx.project.stateDir, name);
        return {
          kind: "stale-sandbox-dir" as const,
          where: dir,
          message: `session "${name}" is gone, but its sandbox dir (private git dir, overlay upper dirs) is left`,
          fix: "remove it (commits the repository lacks are saved to refs/braid/backup/ first)",
          severity: "warning" as const,
          repair: () => removeSandboxDir(ctx, name, dir),
        };
      });
  },
};

/** In the order doctor runs them. */
export const SANDBOX_CHECKS: readonly SandboxCheck[] = [support, overlay, stale];
