import type { Command } from "commander";
import { type CleanReport, cleanMerged } from "../../merge/clean.js";
import { loadContext } from "../../project/context.js";
import { formatBytes } from "../../ui/format.js";
import { act } from "../act.js";
import { paint, print, printJson } from "../output.js";

export function renderClean(r: CleanReport): string {
  const lines: string[] = [];
  const verb = r.dryRun ? "would remove" : "removed";
  for (const s of r.removed) {
    const extra = s.backupRefs.length ? `; saved to ${s.backupRefs.join(", ")}` : "";
    lines.push(`${paint("green", verb)} ${s.name} (${s.branch}, ${s.how}) ${formatBytes(s.reclaimedBytes)}${extra}`);
    for (const w of s.warnings ?? []) lines.push(`  ${paint("yellow", "warning")}: ${w}`);
  }
  for (const s of r.refused) lines.push(`${paint("yellow", "refused")} ${s.name}: ${s.reason}`);
  for (const s of r.kept) lines.push(`kept ${s.name}: ${s.reason}`);
  if (!r.removed.length && !r.refused.length && !r.kept.length) lines.push("no sessions");
  lines.push(`${r.dryRun ? "would reclaim" : "reclaimed"} ${formatBytes(r.reclaimedBytes)}`);
  return lines.join("\n");
}

export function registerClean(program: Command): void {
  program
    .command("clean")
    .description("remove sessions whose branches are integrated into the base (merged, same tree or squash-merged)")
    .option("--merged", "remove integrated sessions (the default and, for now, only criterion)")
    .option("--dry-run", "show what would be removed and the space it would free")
    .option("--force", "also remove integrated sessions with uncommitted work, after saving it to a backup ref")
    .option("--json", "machine-readable report (see README: JSON shapes)")
    .action(
      act(async (opts: { dryRun?: boolean; force?: boolean; json?: boolean }) => {
        const r = await cleanMerged(await loadContext(), { dryRun: opts.dryRun, force: opts.force });
        if (opts.json) printJson(r);
        else print(renderClean(r));
        return r.refused.length ? 1 : 0;
      }),
    );
}
