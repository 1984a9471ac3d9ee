import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { createWorktree } from "../../worktree/create.js";
import { print, printJson } from "../output.js";
import { act } from "../program.js";

export function registerNew(program: Command): void {
  program
    .command("new <name>")
    .description("create a worktree and branch for a session (git worktree add ../<repo>-<name> feature/<name>)")
    .option("--base <ref>", "start from this ref (default: config `base`, else the repo's default branch)")
    .option("--branch <branch>", "branch name (default: config `branch`, feature/<name>)")
    .option("--path <path>", "worktree path (default: config `worktree_path`, ../<repo>-<name>)")
    .option("--fetch", "fetch the base from its remote first")
    .option("--no-bootstrap", "skip .worktreeinclude copies, `copy` dirs and setup commands")
    .option("--json", "print the created session as JSON")
    .action(
      act(
        async (
          name: string,
          opts: {
            base?: string;
            branch?: string;
            path?: string;
            fetch?: boolean;
            bootstrap: boolean;
            json?: boolean;
          },
        ) => {
          const ctx = await loadContext();
          const s = await createWorktree(ctx, { name, ...opts });
          if (opts.json) printJson(s);
          else print(`created ${s.name}: ${s.path} on ${s.branch} (from ${s.baseRef} @ ${s.baseCommit.slice(0, 7)})`);
          return 0;
        },
      ),
    );
}
