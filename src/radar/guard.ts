/**
 * The ownership guard the PreToolUse hook calls before an agent edits a file: allow it, or warn/deny
 * (config `guard`) when another session declared the path as its own.
 */
import { realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { ProjectContext } from "../project/context.js";
import { ownerOf, ownsMatcher } from "./ownership.js";

export interface OwnershipDecision {
  decision: "allow" | "warn" | "deny";
  /** Message for the agent: which session owns the file and what to do instead. */
  reason?: string;
}

/** Real path of p, or of its nearest existing parent joined with the rest (the file may not exist yet). */
function realish(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    if (parent === p) return p;
    return resolve(realish(parent), p.slice(parent.length + 1));
  }
}

export async function checkOwnership(
  ctx: ProjectContext,
  sessionName: string,
  absPath: string,
): Promise<OwnershipDecision> {
  const sessions = ctx.store.sessions();
  const me = sessions.find((s) => s.name === sessionName);
  if (!me) return { decision: "allow" };
  const root = realish(me.path);
  const file = realish(isAbsolute(absPath) ? absPath : resolve(me.path, absPath));
  const rel = relative(root, file);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return { decision: "allow" };
  const relPosix = rel.split(sep).join("/");
  if (ownsMatcher(me.owns)?.(relPosix)) return { decision: "allow" };
  const owner = ownerOf(relPosix, sessions, sessionName);
  if (!owner) return { decision: "allow" };
  return {
    decision: ctx.config.guard,
    reason:
      `${relPosix} is owned by braid session "${owner.name}" (owns ${(owner.owns ?? []).join(", ")}). ` +
      `Do not edit it here: leave a note for that session describing the change you need instead.`,
  };
}
