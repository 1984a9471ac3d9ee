/**
 * Contract between the PreToolUse hook and ownership (issue 5 fills this in).
 * Decide whether session `sessionName` may edit `absPath` given the paths other sessions own.
 */
import type { ProjectContext } from "../project/context.js";

export interface OwnershipDecision {
  decision: "allow" | "warn" | "deny";
  /** Message for the agent: which session owns the file and what to do instead. */
  reason?: string;
}

export async function checkOwnership(
  _ctx: ProjectContext,
  _sessionName: string,
  _absPath: string,
): Promise<OwnershipDecision> {
  return { decision: "allow" };
}
