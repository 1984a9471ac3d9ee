import type { Command } from "commander";
import { remoteOf } from "../../hosts/remote.js";
import { loadContext } from "../../project/context.js";
import { removeSession, restoreHint } from "../../session/remove.js";
import { supervisorTick } from "../../session/supervisor.js";
import { formatBytes } from "../../ui/format.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

export function registerRm(program: Command): void {
  program
    .command("rm <name>")
    .description("remove a session's worktree and its merged branch (refuses to lose work unless --force)")
    .option("--force", "remove anyway, after saving all work to refs/braid/backup/<name>/<time>")
    .option("--keep-branch", "keep the branch (only the worktree and registry entry go)")
    .option("--json", "print the result as JSON")
    .action(
      act(async (name: string, opts: { force?: boolean; keepBranch?: boolean; json?: boolean }) => {
        const ctx = await loadContext();
        const rec = ctx.store.require(name);
        if (remoteOf(rec)) {
          const { removeRemoteSession } = await import("../../session/remote-remove.js");
          const r = await removeRemoteSession(ctx, name, { force: opts.force, keepBranch: opts.keepBranch });
          if (opts.json) printJson({ name, ...r });
          else {
            print(
              `removed ${name} from host ${r.host}: ${rec.path}; branch ${rec.branch} ${r.branchDeleted ? "deleted" : "kept"}`,
            );
            if (r.backupRef) print(`saved work to ${r.backupRef} — ${restoreHint(rec, r.backupRef)}`);
          }
          return 0;
        }
        const r = await removeSession(ctx, name, { force: opts.force, keepBranch: opts.keepBranch });
        await supervisorTick(ctx); // a removed session may have held a cascade slot
        if (opts.json) {
          printJson({ name, ...r, backupRef: r.backupRef ?? null, reclaimedBytes: r.reclaimedBytes ?? null });
          return 0;
        }
        const size = r.reclaimedBytes !== undefined ? `, ${formatBytes(r.reclaimedBytes)} reclaimed` : "";
        print(`removed ${name}: ${rec.path}${size}; branch ${rec.branch} ${r.branchDeleted ? "deleted" : "kept"}`);
        if (r.backupRef) print(`saved work to ${r.backupRef} — ${restoreHint(rec, r.backupRef)}`);
        if (r.teardown.servicesStopped.length) print(`stopped service(s) ${r.teardown.servicesStopped.join(", ")}`);
        if (r.teardown.ran)
          print(`ran ${r.teardown.commands} teardown command(s)${r.teardown.failed ? " (one failed)" : ""}`);
        for (const w of r.teardown.warnings) print(`warning: ${w}`);
        const gone = r.swarmBranches.filter((b) => b.deleted).map((b) => b.branch);
        if (gone.length) print(`deleted swarm branch${gone.length === 1 ? "" : "es"} ${gone.join(", ")}`);
        for (const b of r.swarmBranches) {
          if (b.backupRef)
            print(`saved ${b.branch} to ${b.backupRef} — restore with: git branch ${b.branch} ${b.backupRef}`);
          if (b.keptBecause) print(`kept swarm branch ${b.branch} (${b.keptBecause})`);
        }
        return 0;
      }),
    );
}
