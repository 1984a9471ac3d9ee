import { join } from "node:path";
import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { type PairResult, type RadarReport, radarJson, runRadar } from "../../radar/radar.js";
import { SnapshotCache } from "../../radar/snapshot.js";
import { act } from "../act.js";
import { isTerminal, paint, print, table, write } from "../output.js";

function cell(p: PairResult | undefined): string {
  if (!p) return "";
  if (p.status === "conflict") return paint("red", `CONFLICT(${p.conflictFiles.length})`);
  if (p.status === "same-files") return paint("yellow", `same(${p.sharedFiles.length})`);
  return paint("green", "ok");
}

export function renderRadar(r: RadarReport): string {
  const lines: string[] = [];
  if (r.sessions.length === 0) lines.push("no live sessions to check");
  else {
    const names = r.sessions.map((s) => s.name);
    const find = (a: string, b: string) => r.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
    const baseLabel = r.bases.length === 1 ? (r.bases[0]?.ref ?? "base") : "base";
    const rows = r.sessions.map((s) => [
      s.name + (s.dirty ? "*" : ""),
      ...names.map((n) => (n === s.name ? "-" : cell(find(s.name, n)))),
      cell(r.withBase.find((p) => p.a === s.name)),
    ]);
    lines.push(table(["", ...names, baseLabel], rows));
    lines.push("(* = uncommitted work included; ok = no shared files; same(n) = n shared files, merges cleanly)");
    const bad = [...r.pairs, ...r.withBase].filter((p) => p.status === "conflict");
    for (const p of bad) lines.push(`${paint("red", "conflict")} ${p.a} × ${p.b}: ${p.conflictFiles.join(", ")}`);
  }
  for (const o of r.ownership) {
    lines.push(
      o.kind === "owned-by-other"
        ? `${paint("yellow", "ownership")} ${o.session} changed ${o.file}, owned by ${o.owner}`
        : `${paint("yellow", "ownership")} ${o.session} changed ${o.file}, outside the paths it owns`,
    );
  }
  for (const s of r.skipped) lines.push(`skipped ${s.name}: ${s.reason}`);
  lines.push(`checked ${r.sessions.length} sessions in ${r.elapsedMs} ms`);
  return lines.join("\n");
}

/** `--interval`: seconds from 0.5 to 3600; anything else is refused (it used to fall back to 3 s silently). */
function intervalMs(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0.5 || n > 3600)
    throw new BraidError(
      `--interval must be a number of seconds from 0.5 to 3600 (got "${v}")`,
      "pass e.g. --interval 3",
    );
  return n * 1000;
}

export function registerConflicts(program: Command): void {
  program
    .command("conflicts")
    .description("predict conflicts between live sessions (uncommitted work included) and with the base branch")
    .option("--json", "machine-readable output (see README: JSON shapes)")
    .option("--watch", "re-check every few seconds until interrupted")
    .option("--interval <seconds>", "seconds between checks with --watch", "3")
    .action(
      act(async (opts: { json?: boolean; watch?: boolean; interval: string }) => {
        const ms = intervalMs(opts.interval);
        const ctx = await loadContext();
        const cache = new SnapshotCache(join(ctx.project.stateDir, "radar", "snapshots.json"));
        const once = async () => {
          const r = await runRadar(ctx, { cache });
          if (opts.json) write(`${JSON.stringify(radarJson(r))}\n`);
          else {
            if (opts.watch && isTerminal(1)) write("\x1b[2J\x1b[H");
            print(renderRadar(r));
          }
          return r;
        };
        const r = await once();
        if (!opts.watch) return r ? 0 : 1;
        for (;;) {
          await new Promise((res) => setTimeout(res, ms));
          await once();
        }
      }),
    );
}
