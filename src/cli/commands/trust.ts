import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { listTrust, revokeTrust, setupPlan, trustRepo } from "../../worktree/trust.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

export function registerTrust(program: Command): void {
  program
    .command("trust")
    .description("allow this repository's setup/teardown commands, services and env (braid.toml) to run")
    .option("--list", "list every trusted repository and its commands")
    .option("--revoke", "withdraw the trust for this repository")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { list?: boolean; revoke?: boolean; json?: boolean }) => {
        if (opts.list) {
          const entries = listTrust();
          if (opts.json) printJson({ trusted: entries });
          else if (entries.length === 0) print("no repository is trusted");
          else
            for (const e of entries)
              print(`${e.repo}  (${e.trustedAt})\n${e.commands.map((c) => `  $ ${c}`).join("\n")}`);
          return 0;
        }
        const ctx = await loadContext();
        if (opts.revoke) {
          const had = await revokeTrust(ctx.project.commonDir);
          if (opts.json) printJson({ repo: ctx.project.commonDir, revoked: had });
          else print(had ? `revoked trust for ${ctx.project.mainWorktree}` : "this repository was not trusted");
          return 0;
        }
        const before = await setupPlan(ctx);
        const e = await trustRepo(ctx);
        if (opts.json) printJson({ ...e, alreadyTrusted: before.trusted });
        else
          print(
            `trusted ${e.commands.length} item(s) for ${ctx.project.mainWorktree}:\n${e.commands.map((c) => `  $ ${c}`).join("\n")}`,
          );
        return 0;
      }),
    );
}
