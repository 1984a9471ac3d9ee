/**
 * The agent registry: the unit (types.ts) for an agent name, the one place an unknown agent is refused, and
 * the look-ups by name that need no config (screen detector, transcript reader).
 */
import { BraidError } from "../infra/errors.js";
import type { Config } from "../project/config.js";
import { aiderAdapter } from "./aider.js";
import { claudeAdapter } from "./claude.js";
import { codexAdapter } from "./codex.js";
import { customAdapter } from "./custom.js";
import type { ScreenReading } from "./detectors/screen.js";
import { geminiAdapter } from "./gemini.js";
import type { AgentAdapter, UsageReader } from "./types.js";
import { which } from "./which.js";

export type { ScreenReading } from "./detectors/screen.js";

/** The built-in units; a command, when given, replaces the default binary (`agents.<name>.command`). */
const BUILTIN = {
  claude: claudeAdapter,
  codex: codexAdapter,
  aider: aiderAdapter,
  gemini: geminiAdapter,
} satisfies Record<string, (command?: string[]) => AgentAdapter>;

type BuiltinName = keyof typeof BUILTIN;

export const BUILTIN_AGENTS = Object.keys(BUILTIN) as BuiltinName[];

function isBuiltin(name: string): name is BuiltinName {
  return Object.hasOwn(BUILTIN, name);
}

/**
 * The unit for `name`. A built-in name with an `agents.<name>.command` entry keeps the built-in's
 * behaviour but runs that command (e.g. a claude binary elsewhere); any other name must be configured, or
 * be a program on PATH.
 */
export function resolveAgent(config: Pick<Config, "agents">, name: string): AgentAdapter {
  const custom = config.agents[name]?.command;
  if (isBuiltin(name)) return BUILTIN[name](custom);
  if (custom) return customAdapter(name, custom);
  // `--agent some-cli`: any program on PATH works as a custom agent that takes the prompt as last argument.
  if (which(name)) return customAdapter(name, [name]);
  const known = [...BUILTIN_AGENTS, ...Object.keys(config.agents).filter((k) => !isBuiltin(k))];
  throw new BraidError(
    `unknown agent "${name}"`,
    `use one of: ${known.join(", ")}; or define it in braid.toml as [agents.${name}] command = ["..."]`,
  );
}

/** Throws a one-line error naming the command and how to install it when the binary is not on PATH. */
export function requireAgentBinary(agent: AgentAdapter, pathEnv = process.env.PATH ?? ""): string {
  const bin = agent.command[0] ?? "";
  const found = which(bin, pathEnv);
  if (!found) {
    throw new BraidError(
      `agent "${agent.name}" needs \`${bin}\`, which is not installed or not on PATH`,
      agent.install,
    );
  }
  return found;
}

/** The built-in unit an agent name or command names ("claude", "/usr/bin/claude --x" → claude), if any. */
export function detectorFor(agent: string): BuiltinName | undefined {
  const first = agent.trim().split(/\s+/)[0] ?? "";
  const base = (first.split("/").pop() ?? "").toLowerCase();
  return isBuiltin(base) ? base : undefined;
}

/**
 * What the agent's screen says (its unit's detector: a pure function over `tmux capture-pane` text); null for
 * agents without one, or screens that say nothing conclusive.
 */
export function detectScreenState(agent: string, screen: string): ScreenReading | null {
  const k = detectorFor(agent);
  return k ? (BUILTIN[k]().detect?.(screen) ?? null) : null;
}

/**
 * Where a session's agent keeps transcripts and how to read their usage. A name braid does not know as a
 * built-in (a custom command) is read as Claude Code: many custom agents are Claude under another name, and
 * a worktree without Claude transcripts simply counts nothing.
 */
export function usageReaderFor(agent: string | null): UsageReader | null {
  const k = agent === null ? undefined : detectorFor(agent);
  return (k ? BUILTIN[k]() : claudeAdapter()).usage ?? null;
}
