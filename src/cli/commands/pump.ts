import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { supervisorTick } from "../../session/supervisor.js";
import { act } from "../act.js";

/** Hidden: run by the exec wrapper when an agent exits, to start queued sessions at once. */
export function registerPump(program: Command): void {
  program
    .command("_pump", { hidden: true })
    .description("the supervisor step: record ended and running sessions, start queued ones")
    .action(
      act(async () => {
        await supervisorTick(await loadContext());
        return 0;
      }),
    );
}
