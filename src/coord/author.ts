/** Who is speaking: the session whose worktree the command runs in, else $BRAID_SESSION, else "user". */
import { realpathSync } from "node:fs";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { isValidName } from "./text.js";

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function currentSession(ctx: ProjectContext): string | null {
  const here = real(ctx.project.currentWorktree);
  const s = ctx.store.sessions().find((x) => real(x.path) === here);
  if (s) return s.name;
  const env = process.env.BRAID_SESSION;
  return env && isValidName(env) ? env : null;
}

export function inferAuthor(ctx: ProjectContext): string {
  return currentSession(ctx) ?? "user";
}

/** Names a note may be addressed to: "all", "user", or a registered session. */
export function requireRecipient(ctx: ProjectContext, to: string): string {
  if (to === "all" || to === "user") return to;
  const names = ctx.store.sessions().map((s) => s.name);
  if (names.includes(to)) return to;
  throw new BraidError(
    `no session named "${to.slice(0, 64)}" to send the note to`,
    `use one of: ${["all", "user", ...names].join(", ")}`,
  );
}
