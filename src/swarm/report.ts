/** The swarm's final report: plain text, every verdict of every round. */
import type { SwarmRecord } from "./record.js";

export function swarmReport(rec: SwarmRecord & { phase: string }): string {
  const lines: string[] = [];
  lines.push(`swarm ${rec.name}: ${rec.state.toUpperCase()} — ${rec.phase}`);
  lines.push(`task: ${rec.task}`);
  if (rec.plan) {
    const note = rec.plan.source === "fallback" ? ` (planner answer invalid: ${rec.plan.errors.join("; ")})` : "";
    lines.push(`plan (${rec.plan.source})${note}:`);
    for (const [i, batch] of rec.plan.batches.entries()) {
      lines.push(`  batch ${i + 1}: ${batch.map((s) => `${s.id} ${s.title} [${s.owns.join(", ")}]`).join("; ")}`);
    }
  }
  for (const r of rec.rounds) {
    lines.push(`round ${r.round}${r.fixing.length ? ` (fixing ${r.fixing.join(", ")})` : ""}:`);
    for (const m of r.merges) {
      lines.push(
        `  merge ${m.branch}: ${m.conflict ? `CONFLICT in ${m.conflict.join(", ")}` : (m.commit?.slice(0, 7) ?? "nothing to merge")}`,
      );
    }
    for (const v of r.verdicts) {
      lines.push(
        `  ${v.reviewer} (${v.focus}): ${v.verdict}${v.summary ? ` — ${v.summary}` : ""}${v.error ? ` — ${v.error}` : ""}`,
      );
      for (const i of v.issues) {
        const where = i.file ? ` ${i.file}${i.line ? `:${i.line}` : ""}` : "";
        lines.push(`    ${i.id} [${i.severity}]${where}: ${i.description}${i.fix ? ` — fix: ${i.fix}` : ""}`);
      }
    }
  }
  const strays = rec.agents.filter((a) => a.outOfBounds.length);
  for (const a of strays) lines.push(`warning: ${a.id} changed files it does not own: ${a.outOfBounds.join(", ")}`);
  const failed = rec.agents.filter((a) => a.state === "failed");
  for (const a of failed) lines.push(`agent ${a.id} failed: ${a.error ?? "unknown"} (log: ${a.logFile})`);
  if (rec.error && rec.phase !== rec.error) lines.push(`error: ${rec.error}`);
  return lines.join("\n");
}
