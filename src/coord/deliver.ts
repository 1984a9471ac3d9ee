/**
 * Contract between agent hooks and coordination (issue 4 fills this in).
 * Called by `braid hook <event>` for SessionStart and UserPromptSubmit: returns text to hand the
 * agent as additional context (project memory, unread notes), or undefined for nothing.
 */
import type { ProjectContext } from "../project/context.js";

export type DeliveryEvent = "SessionStart" | "UserPromptSubmit";

export async function hookContext(
  _ctx: ProjectContext,
  _sessionName: string,
  _event: DeliveryEvent,
): Promise<string | undefined> {
  return undefined;
}
