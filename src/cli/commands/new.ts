import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import type { BootstrapReport } from "../../worktree/bootstrap.js";
import { newSession } from "../../worktree/new-session.js";
import { act } from "../act.js";
import { print, printJson, printWarning } from "../output.js";

/** What bootstrapping did, one indented line per step (shared by `new` and `start`). */
export function bootstrapLines(b: BootstrapReport | null | undefined): string[] {
  if (!b) return [];
  const lines: string[] = [];
  if (b.included.length) lines.push(`  copied ${b.included.length} path(s) from .worktreeinclude`);
  for (const c of b.copied)
    lines.push(`  ${c.mode === "symlink" ? "linked" : `copied ${c.files} files of`} ${c.path} (${c.ms} ms)`);
  for (const k of b.skipped) lines.push(`  skipped ${k.path}: ${k.reason}`);
  if (b.setup.ran) lines.push(`  ran ${b.setup.commands} setup command(s)`);
  return lines;
}

export function registerNew(program: Command): void {
  program
    .command("new <name>")
    .description("create a worktree and branch for a session (git worktree add ../<repo>-<name> feature/<name>)")
    .option("--base <ref>", "start from this ref (default: config `base`, else the repo's default branch)")
    .option("--branch <branch>", "branch name (default: config `branch`, feature/<name>)")
    .option("--path <path>", "worktree path (default: config `worktree_path`, ../<repo>-<name>)")
    .option("--fetch", "fetch the base from its remote first")
    .option("--no-bootstrap", "skip .worktreeinclude copies, `copy` dirs and setup commands")
    .option("--json", "print the created session as JSON")
    .action(
      act(
        async (
          name: string,
          opts: { base?: string; branch?: string; path?: string; fetch?: boolean; bootstrap: boolean; json?: boolean },
        ) => {
          const ctx = await loadContext();
          const { json, ...create } = opts;
          const r = await newSession(ctx, { name, ...create });
          for (const w of r.warnings) printWarning(w);
          const s = r.session;
          if (json) {
            printJson({ ...s, bootstrap: r.bootstrap, ...(r.spare ? { spare: r.spare } : {}) });
            return 0;
          }
          const from = r.spare ? `, a spare of the pool` : "";
          print(`created ${s.name}: ${s.path} on ${s.branch} (from ${s.baseRef} @ ${s.baseCommit.slice(0, 7)}${from})`);
          for (const line of bootstrapLines(r.bootstrap)) print(line);
          return 0;
        },
      ),
    );
}
