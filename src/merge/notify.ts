/**
 * Tell the other live sessions that the base moved. Notes belong to coordination (src/coord, issue 4);
 * this is the single call site to wire to it.
 */
import type { ProjectContext } from "../project/context.js";

export async function notifyMerged(
  _ctx: ProjectContext,
  _merged: string[],
  _baseRef: string,
  _recipients: string[],
): Promise<boolean> {
  // TODO(issue 4 integration): post the note `merged <names>; rebase or merge <baseRef>` to each
  // recipient through src/coord's note API once it is on main. Returns whether notes were posted.
  return false;
}
