/** `braid new` end to end: create the worktree, bootstrap it, and warn about over-parallelism. */
import type { ProjectContext } from "../project/context.js";
import { takePrefetchedTips } from "../project/prefetch.js";
import type { SessionRecord } from "../project/state.js";
import type { BootstrapReport } from "./bootstrap.js";
import { type CreateOptions, createWorktree } from "./create.js";
import { newSessionWarning } from "./recommend.js";
import { finishPending, resumePending } from "./resume.js";

export interface NewSessionResult {
  session: SessionRecord;
  /** null with bootstrap: false. */
  bootstrap: BootstrapReport | null;
  /** One-line warnings for the CLI to show. */
  warnings: string[];
  /** True when this run finished a session a killed `new` left half made. */
  resumed?: boolean;
  /** The pool spare the session was made from (`pool = N`), when it was. */
  spare?: string;
}

async function sessionWarnings(ctx: ProjectContext, opts: CreateOptions): Promise<string[]> {
  if ((opts.type ?? "implementation") !== "implementation") return [];
  const w = await newSessionWarning(ctx);
  return w ? [w] : [];
}

export async function newSession(
  ctx: ProjectContext,
  opts: CreateOptions & { bootstrap?: boolean },
): Promise<NewSessionResult> {
  const bootstrapWanted = opts.bootstrap !== false;
  // A session a killed `new` left half made: roll a half checkout back and make it again, or finish its bootstrap.
  const resumed = await resumePending(ctx, opts.name);
  if (resumed === "rolled-back") void takePrefetchedTips(); // read before the rollback deleted the branch: stale
  // The pool: a spare (checked out and bootstrapped ahead) moved into place, then the pool refilled behind us.
  if (ctx.config.pool > 0 || ctx.store.read().spares?.length) {
    const pool = await import("./pool.js");
    const taken = bootstrapWanted && resumed === "none" ? await pool.takeSpare(ctx, opts) : null;
    pool.fillInBackground(ctx);
    if (taken) {
      const warnings = [...(await sessionWarnings(ctx, opts)), ...taken.bootstrap.warnings];
      return { session: taken.session, bootstrap: taken.bootstrap, warnings, spare: taken.spare };
    }
  }
  const session =
    resumed === "bootstrap"
      ? ctx.store.require(opts.name)
      : await createWorktree(ctx, { ...opts, bootstrap: bootstrapWanted });
  const warnings = resumed === "bootstrap" ? [] : await sessionWarnings(ctx, opts);
  // Loaded only when used: `new --no-bootstrap` should not pay for the bootstrap's modules.
  // A bootstrap failure keeps the worktree marked pending (the error says how to retry or remove it).
  const bootstrap = bootstrapWanted ? await (await import("./bootstrap.js")).bootstrapWorktree(ctx, session) : null;
  const done = (await finishPending(ctx, opts.name)) ?? session;
  if (bootstrap) warnings.push(...bootstrap.warnings);
  return { session: done, bootstrap, warnings, ...(resumed !== "none" ? { resumed: true } : {}) };
}
