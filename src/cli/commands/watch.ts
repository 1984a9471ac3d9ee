import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { runWatchDaemon } from "../../watch/daemon.js";
import { act } from "../act.js";

/** Hidden: the watcher daemon, started by `status`/`conflicts` (watch/start.ts); ends by itself (watch/daemon.ts). */
export function registerWatch(program: Command): void {
  program
    .command("_watch", { hidden: true })
    .description("watch the sessions' worktrees so status and conflicts skip the unchanged ones")
    .action(
      act(async () => {
        await runWatchDaemon(await loadContext());
        return 0;
      }),
    );
}
