import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { act } from "../act.js";
import { print, write } from "../output.js";

export function registerCompletion(program: Command): void {
  program
    .command("completion <shell>")
    .description("print the shell completion script: bash, zsh or fish (commands, flags, session/agent names)")
    .action(
      act(async (shell: string, _opts: unknown, cmd: Command) => {
        const { SHELLS, completionScript } = await import("../../completion/scripts.js");
        if (!(SHELLS as readonly string[]).includes(shell))
          throw new BraidError(`no completion for shell "${shell}"`, `use one of: ${SHELLS.join(", ")}`, 2);
        const { programSpec } = await import("../../completion/spec.js");
        // The root program: registerCommands registers every command when `completion` runs.
        const root = cmd.parent ?? program;
        write(completionScript(shell as "bash", programSpec(root)));
        return 0;
      }),
    );
}

const KINDS = ["sessions", "agents", "hosts", "config-keys"] as const;

/** `braid __complete <kind>`: the names completion offers, one per line; silent and exit 0 outside a repo. */
export function registerComplete(program: Command): void {
  program
    .command("__complete <kind>", { hidden: true })
    .description("(for completion scripts) print session, agent or host names, or config keys")
    .action(
      act(async (kind: string) => {
        if (!(KINDS as readonly string[]).includes(kind)) return 2;
        const names = await completeNames(kind as (typeof KINDS)[number]).catch(() => [] as string[]);
        if (names.length) print(names.join("\n"));
        return 0;
      }),
    );
}

async function completeNames(kind: (typeof KINDS)[number]): Promise<string[]> {
  if (kind === "config-keys") return (await import("../../project/config.js")).CONFIG_KEYS;
  const { loadContext } = await import("../../project/context.js");
  if (kind === "sessions")
    return (await loadContext(process.cwd(), { sweepTrash: false })).store.sessions().map((s) => s.name);
  const config = await loadContext(process.cwd(), { sweepTrash: false })
    .then((c) => c.config as unknown as Record<string, unknown>)
    .catch(() => ({}) as Record<string, unknown>);
  if (kind === "agents") {
    const { BUILTIN_AGENTS } = await import("../../agents/index.js");
    const custom = Object.keys((config.agents as Record<string, unknown> | undefined) ?? {});
    return [...new Set([...BUILTIN_AGENTS, ...custom])];
  }
  const hosts = config.hosts;
  return hosts && typeof hosts === "object" ? Object.keys(hosts as Record<string, unknown>) : [];
}
