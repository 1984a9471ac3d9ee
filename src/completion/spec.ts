/**
 * What shell completion knows, read from the commander program itself (so a new command or flag is
 * completed without touching this folder): commands, their subcommands, flags, and which words are
 * session / agent / host names, filled in at completion time by `braid __complete <kind>`.
 */
import type { Command } from "commander";

export type ValueKind = "session" | "recipient" | "agent" | "host" | "file" | "config-key" | "shell" | "none";

export interface CommandSpec {
  name: string;
  description: string;
  /** Every long and short flag, e.g. ["--json", "-f"]. */
  flags: string[];
  /** Flags that take a value, and what that value is. */
  valueFlags: Record<string, ValueKind | string[]>;
  /** What the positional words are (the first argument's kind is used for every word). */
  args: ValueKind;
  subcommands: CommandSpec[];
}

/** Fixed choices some flags take (documented in their commands). */
const FLAG_CHOICES: Record<string, string[]> = {
  "--type": ["implementation", "research", "review"],
  "--strategy": ["merge", "squash", "rebase"],
  "--mode": ["standard", "swarm"],
};

const FLAG_KINDS: Record<string, ValueKind> = {
  "--agent": "agent",
  "--to": "recipient",
  "--for": "session",
  "--from": "recipient",
  "--from-session": "session",
  "--as": "none",
  "--host": "host",
  "--path": "file",
};

function argKind(cmd: Command): ValueKind {
  const first = cmd.registeredArguments[0];
  if (!first) return "none";
  const n = first.name().toLowerCase();
  if (n === "name" || n === "names" || n === "session" || n === "sessions") return "session";
  if (n === "file") return "file";
  if (n === "key") return "config-key";
  if (n === "shell") return "shell";
  if (n === "host" || n === "hosts") return "host";
  return "none";
}

function hidden(cmd: Command): boolean {
  return Boolean((cmd as unknown as { _hidden?: boolean })._hidden);
}

function commandSpec(cmd: Command): CommandSpec {
  const flags: string[] = [];
  const valueFlags: CommandSpec["valueFlags"] = {};
  for (const o of cmd.options) {
    if (o.hidden) continue;
    if (o.long) flags.push(o.long);
    if (o.short) flags.push(o.short);
    if (o.required || o.optional) {
      const kind = FLAG_CHOICES[o.long ?? ""] ?? FLAG_KINDS[o.long ?? ""] ?? "none";
      if (o.long) valueFlags[o.long] = kind;
      if (o.short) valueFlags[o.short] = kind;
    }
  }
  flags.push("--help");
  return {
    name: cmd.name(),
    description: cmd.description().split("\n")[0] ?? "",
    flags,
    valueFlags,
    args: argKind(cmd),
    subcommands: cmd.commands.filter((c) => !hidden(c) && c.name() !== "help").map(commandSpec),
  };
}

/** Top-level commands users type (hidden and internal ones left out). */
export function programSpec(program: Command): CommandSpec[] {
  return program.commands.filter((c) => !hidden(c) && !c.name().startsWith("_")).map(commandSpec);
}
