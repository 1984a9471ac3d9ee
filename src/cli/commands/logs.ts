import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { followSessionLog, readSessionLog } from "../../session/logs.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

function lineCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new BraidError(`--lines must be a whole number from 1 to 100000 (got "${v}")`, "pass e.g. --lines 50");
  return n;
}

export function registerLogs(program: Command): void {
  program
    .command("logs <name>")
    .description("the agent's last output (live tmux pane, or what its last run left), e.g. why it failed")
    .option("--follow", "keep printing new output until the run ends (Ctrl-C to quit)")
    .option("--lines <n>", "how many lines to show", lineCount, 100)
    .option("--json", "machine-readable output (see docs/logs.md)")
    .action(
      act(async (name: string, opts: { follow?: boolean; lines: number; json?: boolean }) => {
        const ctx = await loadContext();
        if (!opts.follow) {
          const log = await readSessionLog(ctx, name, opts.lines);
          if (opts.json) printJson(log);
          else for (const l of log.lines) print(l);
          return 0;
        }
        let stop = false;
        process.on("SIGINT", () => {
          stop = true;
        });
        await followSessionLog(
          ctx,
          name,
          (lines) => {
            if (opts.json) for (const line of lines) process.stdout.write(`${JSON.stringify({ line })}\n`);
            else for (const l of lines) print(l);
          },
          () => stop,
          opts.lines,
        );
        return 0;
      }),
    );
}
