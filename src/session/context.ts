/** A Claude session's context-window use, from the transcript of its current conversation. */
import { type ContextUse, latestContextUse } from "../agents/claude/context.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { findConversation } from "./fork.js";

export function sessionContextUse(ctx: ProjectContext, record: SessionRecord, agent: string | null): ContextUse | null {
  if ((agent ?? record.agent ?? ctx.config.agent) !== "claude") return null;
  const conv = findConversation(ctx, record);
  return conv ? latestContextUse(conv.transcript) : null;
}
