import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";

export function registerShell(program: Command): void {
  program
    .command("shell <name> [command...]")
    .description("your $SHELL (or the command after --) in the session's view: its sandbox, worktree and environment")
    .action(
      act(async (name: string, command: string[]) => {
        const ctx = await loadContext();
        const rec = ctx.store.require(name);
        const { sessionShell } = await import("../../session/shell.js");
        const sh = await sessionShell(ctx, rec, command);
        const [file, ...args] = sh.argv as [string, ...string[]];
        const code = await new Promise<number>((resolve, reject) => {
          const child = spawn(file, args, { cwd: sh.cwd, env: sh.env, stdio: "inherit" });
          // The terminal's Ctrl-C belongs to the program in the shell, not to braid.
          const ignore = () => undefined;
          process.on("SIGINT", ignore);
          child.on("error", (e: NodeJS.ErrnoException) =>
            reject(
              new BraidError(
                `cannot run ${file}: ${e.code === "ENOENT" ? "not found" : e.message}`,
                "check $SHELL, or name the program after --",
              ),
            ),
          );
          child.on("exit", (c, sig) => {
            process.off("SIGINT", ignore);
            resolve(c ?? 128 + (sig ? constants.signals[sig] : 0));
          });
        });
        await sh.afterExit();
        return code;
      }),
    );
}
