import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { pump } from "../../session/cascade.js";
import { act } from "../act.js";

/** Hidden: run by the exec wrapper when an agent exits, to start queued sessions at once. */
export function registerPump(program: Command): void {
  program
    .command("_pump", { hidden: true })
    .description("reconcile ended sessions and start queued ones")
    .action(
      act(async () => {
        await pump(await loadContext());
        return 0;
      }),
    );
}
