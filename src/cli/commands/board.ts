import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";

export function registerBoard(program: Command): void {
  program
    .command("board")
    .description("live full-screen board of all sessions (cascade order): state, git, conflicts, notes, cost, CPU")
    .option("--bell", "ring the terminal bell when a session starts waiting for you")
    .action(
      act(async (opts: { bell?: boolean }) => {
        const ctx = await loadContext();
        // ink + react cost ~500 ms to import: only this command loads them
        const { runBoard } = await importWithoutCiMode(() => import("../../ui/board/run.js"));
        return runBoard(ctx, { bell: Boolean(opts.bell) });
      }),
    );
}

/**
 * ink decides once, when imported, that a CI environment (CI/CONTINUOUS_INTEGRATION set) gets no live frames,
 * only the last one on exit. The board is interactive and needs a terminal anyway, so hide those variables
 * while ink loads, then put them back for the commands the board runs (verify, pager).
 */
async function importWithoutCiMode<T>(load: () => Promise<T>): Promise<T> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  for (const k of Object.keys(saved)) if (k in process.env) process.env[k] = "false";
  try {
    return await load();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}
