import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { recommend } from "../../worktree/recommend.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

export function registerRecommend(program: Command): void {
  program
    .command("recommend")
    .description("how many parallel sessions this repository can take (the guide's scaling table)")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { json?: boolean }) => {
        const r = await recommend(await loadContext());
        if (opts.json) {
          printJson(r);
          return 0;
        }
        print(`${r.trackedFiles} tracked files (${r.size} project): ${r.advice}`);
        print(
          `live implementation sessions: ${r.liveCodeSessions} (limit ${r.limit}; max_code_sessions = ${r.maxCodeSessions})`,
        );
        return 0;
      }),
    );
}
