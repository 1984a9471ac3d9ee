import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { projectCost } from "../../session/cost.js";
import { formatCount, formatUsd } from "../../ui/format.js";
import { act } from "../act.js";
import { print, printJson, printWarning, table } from "../output.js";

export function registerCost(program: Command): void {
  program
    .command("cost")
    .description("tokens and dollars per session (from Claude Code transcripts) and the project total")
    .option("--json", "machine-readable output (see README: JSON shapes)")
    .action(
      act(async (opts: { json?: boolean }) => {
        const cost = projectCost(await loadContext());
        if (opts.json) {
          printJson(cost);
          return 0;
        }
        const dash = "-";
        const rows = cost.sessions.map((s) => [
          s.session,
          s.agent ?? dash,
          s.tokens ? formatCount(s.tokens.input) : dash,
          s.tokens ? formatCount(s.tokens.output) : dash,
          s.tokens ? formatCount(s.tokens.cacheRead) : dash,
          s.tokens ? formatCount(s.tokens.cacheWrite) : dash,
          s.costUsd === null ? dash : formatUsd(s.costUsd),
          s.byModel.map((m) => m.model).join(",") || dash,
        ]);
        if (cost.removed.sessions.length) {
          const g = cost.removed.tokens;
          rows.push([
            `(${cost.removed.sessions.length} removed)`,
            "",
            formatCount(g.input),
            formatCount(g.output),
            formatCount(g.cacheRead),
            formatCount(g.cacheWrite),
            formatUsd(cost.removed.costUsd),
            "",
          ]);
        }
        const t = cost.total.tokens;
        rows.push([
          "TOTAL",
          "",
          formatCount(t.input),
          formatCount(t.output),
          formatCount(t.cacheRead),
          formatCount(t.cacheWrite),
          formatUsd(cost.total.costUsd),
          "",
        ]);
        print(table(["SESSION", "AGENT", "INPUT", "OUTPUT", "CACHE-READ", "CACHE-WRITE", "COST", "MODELS"], rows));
        if (cost.unpricedModels.length) {
          printWarning(
            `no price for ${cost.unpricedModels.join(", ")}: its tokens are not in the cost — add [prices."<model>"] to braid.toml`,
          );
        }
        return 0;
      }),
    );
}
