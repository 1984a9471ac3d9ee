import type { Command } from "commander";
import { resolveProject } from "../../project/identity.js";
import { act } from "../act.js";
import { print, printJson, table } from "../output.js";

/** The main worktree when run inside a repository; config also works outside one (global only). */
async function mainWorktreeOrNone(): Promise<string | undefined> {
  try {
    return (await resolveProject(process.cwd())).mainWorktree;
  } catch {
    return undefined;
  }
}

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export function registerConfig(program: Command): void {
  const config = program.command("config").description("read and change settings (braid.toml, or --global)");
  config
    .command("get <key>")
    .description("print one setting (dotted keys reach nested tables, e.g. agents.mine.command)")
    .option("--global", "read the global config file instead of the effective value")
    .option("--json", "machine-readable output")
    .action(
      act(async (key: string, opts: { global?: boolean; json?: boolean }) => {
        const mainWorktree = opts.global ? undefined : await mainWorktreeOrNone();
        const { configGet } = await import("../../project/config-edit.js"); // loads the schema validator
        const e = configGet(key, { mainWorktree, global: opts.global });
        if (opts.json) printJson(e);
        else print(show(e.value));
        return 0;
      }),
    );
  config
    .command("set <key> <value>")
    .description("change a setting in braid.toml (or the global file); the value is TOML or a plain string")
    .option("--global", "change the global config file")
    .option("--json", "machine-readable output")
    .action(
      act(async (key: string, value: string, opts: { global?: boolean; json?: boolean }) => {
        const mainWorktree = opts.global ? undefined : await mainWorktreeOrNone();
        const { configSet } = await import("../../project/config-edit.js");
        const r = await configSet(key, value, { mainWorktree, global: opts.global });
        if (opts.json) printJson(r);
        else print(`${r.key} = ${show(r.value)}  (${r.file})`);
        return 0;
      }),
    );
  config
    .command("list")
    .description("every setting with its effective value and source")
    .option("--global", "only global config and defaults")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { global?: boolean; json?: boolean }) => {
        const { configList } = await import("../../project/config-edit.js");
        const entries = configList(opts.global ? undefined : await mainWorktreeOrNone());
        if (opts.json) printJson({ settings: entries });
        else
          print(
            table(
              ["KEY", "VALUE", "SOURCE"],
              entries.map((e) => [e.key, show(e.value), e.source]),
            ),
          );
        return 0;
      }),
    );
}
