import type { Command } from "commander";
import { BraidError } from "../../errors.js";
import { loadContext } from "../../project/context.js";
import { act } from "../program.js";

export function registerBoard(program: Command): void {
  program
    .command("board")
    .description("live full-screen board of all sessions (cascade order): state, git, conflicts, notes, cost, CPU")
    .option("--bell", "ring the terminal bell when a session starts waiting for you")
    .action(
      act(async (opts: { bell?: boolean }) => {
        const ctx = await loadContext();
        // ink + react cost ~500 ms to import: only this command loads them
        const { runBoard } = await import("../../ui/board/run.js");
        return runBoard(ctx, {
          bell: Boolean(opts.bell),
          attach: async () => {
            throw new BraidError("attaching is not available in this build", "use `tmux attach`");
          },
        });
      }),
    );
}
