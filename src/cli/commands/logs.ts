import type { Command } from "commander";
import { BraidError } from "../../errors.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";

/** Minimal `braid logs NAME --service S` (issue 18); the agent's own log is another helper's `braid logs NAME`. */
export function registerLogs(program: Command): void {
  program
    .command("logs <name>")
    .description("show a session's service output (--service S)")
    .option("--service <service>", "the `[services.NAME]` whose output to show")
    .option("--lines <n>", "only the last N lines", (v) => Number(v))
    .action(
      act(async (name: string, opts: { service?: string; lines?: number }) => {
        const ctx = await loadContext();
        ctx.store.require(name);
        const { readServiceRecords, serviceLog } = await import("../../services/services.js");
        const known = [
          ...new Set([
            ...Object.keys(ctx.config.services),
            ...readServiceRecords(ctx.project.stateDir, name).map((s) => s.service),
          ]),
        ];
        if (!opts.service)
          throw new BraidError(
            `say which service's output to show`,
            known.length
              ? `braid logs ${name} --service ${known[0]} (services: ${known.join(", ")})`
              : "this session has no services",
          );
        if (!known.includes(opts.service))
          throw new BraidError(
            `session "${name}" has no service "${opts.service}"`,
            known.length ? `services: ${known.join(", ")}` : "add one under [services.NAME] in braid.toml",
          );
        if (opts.lines !== undefined && !(Number.isInteger(opts.lines) && opts.lines > 0))
          throw new BraidError("--lines needs a positive whole number", "e.g. --lines 50");
        const { readFileSync } = await import("node:fs");
        let text = "";
        try {
          text = readFileSync(serviceLog(ctx.project.stateDir, name, opts.service), "utf8");
        } catch {
          throw new BraidError(
            `service "${opts.service}" of "${name}" has not run yet`,
            `start the session: braid start ${name}`,
          );
        }
        if (opts.lines)
          text = `${text
            .split("\n")
            .slice(-(opts.lines + 1))
            .join("\n")}`;
        process.stdout.write(text);
        return 0;
      }),
    );
}
