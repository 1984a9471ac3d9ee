/** Tell the other live sessions that the base moved, through coordination notes (src/coord). */
import { postNote } from "../coord/post.js";
import type { ProjectContext } from "../project/context.js";

/**
 * One note to "all" from "braid": every session's agent gets it with its next prompt. Returns whether
 * it was posted; a failure to post never undoes a merge that already happened.
 */
export async function notifyMerged(
  ctx: ProjectContext,
  merged: string[],
  baseRef: string,
  recipients: string[],
): Promise<boolean> {
  if (recipients.length === 0) return false;
  const text = `merged ${merged.join(", ")} into ${baseRef}; rebase or merge ${baseRef} into your branch before you go on (git merge ${baseRef}). Research and review sessions: nothing to do.`;
  try {
    await postNote(ctx, { text, from: "braid", to: "all" });
    return true;
  } catch {
    return false;
  }
}
