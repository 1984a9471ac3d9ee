import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import type { ProjectContext } from "../../project/context.js";
import { loadContext } from "../../project/context.js";
import { followSessionLog, readSessionLog } from "../../session/logs.js";
import { act } from "../act.js";
import { print, printJson, write } from "../output.js";

function lineCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new BraidError(`--lines must be a whole number from 1 to 100000 (got "${v}")`, "pass e.g. --lines 50");
  return n;
}

/** The last `lines` lines of one of the session's services (`[services.NAME]`). */
async function serviceOutput(ctx: ProjectContext, name: string, service: string, lines: number): Promise<string> {
  ctx.store.require(name);
  const { readServiceRecords, serviceLog } = await import("../../session/services/services.js");
  const known = [
    ...new Set([
      ...Object.keys(ctx.config.services),
      ...readServiceRecords(ctx.project.stateDir, name).map((s) => s.service),
    ]),
  ];
  if (!known.includes(service))
    throw new BraidError(
      `session "${name}" has no service "${service}"`,
      known.length ? `services: ${known.join(", ")}` : "add one under [services.NAME] in braid.toml",
    );
  const { readFileSync } = await import("node:fs");
  let text: string;
  try {
    text = readFileSync(serviceLog(ctx.project.stateDir, name, service), "utf8");
  } catch {
    throw new BraidError(`service "${service}" of "${name}" has not run yet`, `start the session: braid start ${name}`);
  }
  return text
    .split("\n")
    .slice(-(lines + 1))
    .join("\n");
}

export function registerLogs(program: Command): void {
  program
    .command("logs <name>")
    .description("the agent's last output (live tmux pane, or what its last run left), or a service's (--service)")
    .option("--follow", "keep printing new output until the run ends (Ctrl-C to quit)")
    .option("--lines <n>", "how many lines to show", lineCount, 100)
    .option("--service <service>", "show this `[services.NAME]`'s output instead of the agent's")
    .option("--json", "machine-readable output (see docs/logs.md)")
    .action(
      act(async (name: string, opts: { follow?: boolean; lines: number; service?: string; json?: boolean }) => {
        const ctx = await loadContext();
        if (opts.service) {
          write(await serviceOutput(ctx, name, opts.service, opts.lines));
          return 0;
        }
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
            if (opts.json) for (const line of lines) write(`${JSON.stringify({ line })}\n`);
            else for (const l of lines) print(l);
          },
          () => stop,
          opts.lines,
        );
        return 0;
      }),
    );
}
