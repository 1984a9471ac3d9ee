/** `braid new` end to end: create the worktree, bootstrap it, and warn about over-parallelism. */
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import type { BootstrapReport } from "./bootstrap.js";
import { type CreateOptions, createWorktree } from "./create.js";
import { newSessionWarning } from "./recommend.js";

export interface NewSessionResult {
  session: SessionRecord;
  /** null with bootstrap: false. */
  bootstrap: BootstrapReport | null;
  /** One-line warnings for the CLI to show. */
  warnings: string[];
}

export async function newSession(
  ctx: ProjectContext,
  opts: CreateOptions & { bootstrap?: boolean },
): Promise<NewSessionResult> {
  const session = await createWorktree(ctx, opts);
  const warnings: string[] = [];
  if ((opts.type ?? "implementation") === "implementation") {
    const w = await newSessionWarning(ctx);
    if (w) warnings.push(w);
  }
  // Loaded only when used: `new --no-bootstrap` should not pay for the bootstrap's modules.
  // A bootstrap failure keeps the worktree (the error says how to retry or remove it).
  const bootstrap =
    opts.bootstrap === false ? null : await (await import("./bootstrap.js")).bootstrapWorktree(ctx, session);
  if (bootstrap) warnings.push(...bootstrap.warnings);
  return { session, bootstrap, warnings };
}
