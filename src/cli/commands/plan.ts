import { resolve } from "node:path";
import type { Command } from "commander";
import { applyPlan } from "../../plan/apply.js";
import { loadPlan } from "../../plan/file.js";
import { loadContext } from "../../project/context.js";
import { recommend } from "../../worktree/recommend.js";
import { act } from "../act.js";
import { print, printJson, printWarning } from "../output.js";

interface PlanFlags {
  apply?: boolean;
  autoMerge?: boolean;
  headless?: boolean;
  json?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command("plan <file>")
    .description("validate a TOML plan of sessions and print its waves; --apply starts them wave by wave")
    .option("--apply", "start wave 1 now and each later session when its dependencies are merged")
    .option("--auto-merge", "with --apply: run the merge train on finished dependencies between waves")
    .option("--headless", "with --apply: run the agents without a terminal")
    .option("--json", "machine-readable output (see README: JSON shapes)")
    .action(
      act(async (file: string, opts: PlanFlags) => {
        const ctx = await loadContext();
        const rec = await recommend(ctx);
        const plan = loadPlan(resolve(file), {
          maxCodeSessions: ctx.config.max_code_sessions,
          recommendedMax: rec.worktrees.max,
        });
        const shape = {
          file: plan.file,
          sessions: plan.sessions.map((s) => ({ ...s, depends_on: plan.deps[s.name] ?? [] })),
          waves: plan.waves,
          warnings: plan.warnings,
        };
        if (!opts.json) {
          for (const w of plan.warnings) printWarning(w);
          for (const [i, w] of plan.waves.entries()) print(`wave ${i + 1}: ${w.join(", ")}`);
        }
        if (!opts.apply) {
          if (opts.json) printJson({ ...shape, applied: null });
          return 0;
        }
        const result = await applyPlan(ctx, plan, {
          autoMerge: Boolean(opts.autoMerge),
          ...(opts.headless ? { headless: true } : {}),
          onEvent: (e) => {
            if (opts.json) return;
            if (e.kind === "started") print(`started ${e.name} (wave ${e.wave})`);
            else if (e.kind === "merged") print(`merged ${e.names.join(", ")}`);
            else print(`${e.name} waits for ${e.on.join(", ")} to be merged`);
          },
        });
        if (opts.json) printJson({ ...shape, applied: result });
        else if (result.stopped) print(`stopped: ${result.stopped}`);
        else print(`all ${plan.sessions.length} sessions started`);
        return result.complete ? 0 : 1;
      }),
    );
}
