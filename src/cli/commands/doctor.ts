import type { Command } from "commander";
import { runDoctor } from "../../doctor/doctor.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";
import { paint, print, printJson } from "../output.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("find and (with --fix) repair locked, missing, corrupted or unregistered worktrees")
    .option("--fix", "apply every fix marked fixable")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { fix?: boolean; json?: boolean }) => {
        const report = await runDoctor(await loadContext(undefined, { sweepTrash: false }), { fix: opts.fix });
        if (opts.json) {
          printJson(report);
          return report.ok ? 0 : 1;
        }
        if (report.findings.length === 0) print("no problems found");
        for (const f of report.findings) {
          const tag = f.fixed ? paint("green", "fixed") : f.severity === "info" ? "info" : paint("red", f.severity);
          print(
            `${tag}  ${f.kind}  ${f.where}\n       ${f.message}\n       fix: ${f.fix}${f.fixable && !f.fixed && !opts.fix ? " (braid doctor --fix)" : ""}`,
          );
        }
        return report.ok ? 0 : 1;
      }),
    );
}
