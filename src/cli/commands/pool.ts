import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { clearPool, fillPool, fillRunning, listSpares } from "../../worktree/pool.js";
import { act } from "../act.js";
import { print, printJson, table } from "../output.js";

export function registerPool(program: Command): void {
  const pool = program
    .command("pool")
    .description("spare worktrees kept ready for `new` (config `pool = N`): list, fill, clear");
  pool
    .command("list", { isDefault: true })
    .description("show the spares (default)")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { json?: boolean }) => {
        const ctx = await loadContext();
        const spares = await listSpares(ctx);
        const filling = fillRunning(ctx);
        if (opts.json) {
          printJson({ pool: ctx.config.pool, filling, spares });
          return 0;
        }
        print(
          `pool = ${ctx.config.pool}: ${spares.filter((s) => s.state === "ready" && !s.problem).length} ready${filling ? " (filling)" : ""}`,
        );
        if (spares.length)
          print(
            table(
              ["SPARE", "STATE", "BASE", "PATH"],
              spares.map((s) => [
                s.id,
                s.problem ? `stale: ${s.problem}` : s.state,
                `${s.baseRef} @ ${s.baseCommit.slice(0, 7)}`,
                s.path,
              ]),
            ),
          );
        return 0;
      }),
    );
  pool
    .command("fill")
    .description(
      "make, refresh and discard spares until `pool` ready ones sit at the base tip (what new starts in the background)",
    )
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { json?: boolean }) => {
        const r = await fillPool(await loadContext());
        if (opts.json) {
          printJson(r);
          return 0;
        }
        print(`${r.ready} spare(s) ready: made ${r.made}, refreshed ${r.refreshed}, discarded ${r.discarded.length}`);
        for (const d of r.discarded) print(`  discarded ${d.path}: ${d.reason}`);
        if (r.note) print(`  ${r.note}`);
        return 0;
      }),
    );
  pool
    .command("clear")
    .description("discard every spare (they hold no work)")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { json?: boolean }) => {
        const n = await clearPool(await loadContext());
        if (opts.json) printJson({ discarded: n });
        else print(`discarded ${n} spare(s)`);
        return 0;
      }),
    );
}
