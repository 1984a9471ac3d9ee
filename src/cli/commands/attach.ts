import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { attachPlan, runAttach } from "../../session/interact.js";
import { act } from "../act.js";
import { print } from "../output.js";

export function registerAttach(program: Command): void {
  program
    .command("attach <name>")
    .description("switch to (or attach to) the session's tmux window")
    .action(
      act(async (name: string) => {
        const plan = await attachPlan(await loadContext(), name);
        print(`attaching to ${plan.target} — detach with Ctrl-b d (the agent keeps running)`);
        return runAttach(plan);
      }),
    );
}
