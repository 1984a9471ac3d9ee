/** What the board's keys do, bound to braid's domain modules. Each returns a one-line outcome for the footer. */
import { BraidError } from "../../errors.js";
import type { ProjectContext } from "../../project/context.js";
import { createWorktree } from "../../worktree/create.js";
import type { BoardActions } from "./App.js";

export function realActions(ctx: ProjectContext): BoardActions {
  return {
    async create(name, type, task) {
      const s = await createWorktree(ctx, { name });
      await ctx.store.patch(name, { type, task });
      return `created ${s.name} (${type}) on ${s.branch}`;
    },
    async send() {
      throw new BraidError("sending is not available in this build", "use `tmux send-keys`");
    },
    async merge() {
      throw new BraidError("merging is not available in this build", "merge the branch with git");
    },
    async stop() {
      throw new BraidError("stopping is not available in this build", "stop the agent in its terminal");
    },
    async postNote() {
      throw new BraidError("notes are not available in this build", "write to the notes folder");
    },
  };
}
