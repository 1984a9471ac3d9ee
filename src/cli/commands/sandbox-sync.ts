import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { syncSandbox } from "../../sandbox/session.js";
import { act } from "../act.js";

/** Hidden: run by the exec wrapper of a sandboxed session when its private git dir changes. */
export function registerSandboxSync(program: Command): void {
  program
    .command("_sandbox-sync <name>", { hidden: true })
    .description("bring a sandboxed session's commits and index back into the repository")
    .action(
      act(async (name: string) => {
        const ctx = await loadContext();
        await syncSandbox(ctx, ctx.store.require(name));
        return 0;
      }),
    );
}
