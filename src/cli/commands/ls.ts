import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { listAll } from "../../worktree/list.js";
import { act } from "../act.js";
import { print, printJson, table } from "../output.js";

export function registerLs(program: Command): void {
  program
    .command("ls")
    .description("list every worktree of the repository with branch, dirty/clean, ahead/behind and flags")
    .option("--json", "machine-readable output (see README: JSON shapes)")
    .action(
      act(async (opts: { json?: boolean }) => {
        const infos = await listAll(await loadContext());
        if (opts.json) {
          printJson({ worktrees: infos });
          return 0;
        }
        const rows = infos.map((w) => [
          w.session ?? (w.main ? "(main)" : w.spare ? "(spare)" : "-"),
          w.branch ?? `(detached ${w.head?.slice(0, 7) ?? ""})`,
          w.missing ? "missing" : w.dirty ? `dirty(${w.changedFiles})` : "clean",
          w.ahead === null ? "" : `+${w.ahead}/-${w.behind}`,
          [w.locked ? "locked" : "", w.prunable ? "prunable" : ""].filter(Boolean).join(","),
          w.path,
        ]);
        print(table(["SESSION", "BRANCH", "STATE", "AHEAD/BEHIND", "FLAGS", "PATH"], rows));
        return 0;
      }),
    );
}
