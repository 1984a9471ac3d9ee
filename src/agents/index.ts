/** Pick the adapter for an agent name and check its binary is installed. */
import { BraidError } from "../infra/errors.js";
import type { Config } from "../project/config.js";
import { claudeAdapter } from "./claude.js";
import { aiderAdapter, codexAdapter, customAdapter, geminiAdapter } from "./others.js";
import type { AgentAdapter } from "./types.js";
import { which } from "./which.js";

export const BUILTIN_AGENTS = ["claude", "codex", "aider", "gemini"] as const;

/**
 * The adapter for `name`. A built-in name with an `agents.<name>.command` entry keeps the built-in's
 * behaviour but runs that command (e.g. a claude binary elsewhere); any other name must be configured.
 */
export function resolveAgent(config: Config, name: string): AgentAdapter {
  const custom = config.agents[name]?.command;
  switch (name) {
    case "claude":
      return claudeAdapter(custom);
    case "codex":
      return codexAdapter(custom);
    case "aider":
      return aiderAdapter(custom);
    case "gemini":
      return geminiAdapter(custom);
  }
  if (custom) return customAdapter(name, custom);
  // `--agent some-cli`: any program on PATH works as a custom agent that takes the prompt as last argument.
  if (which(name)) return customAdapter(name, [name]);
  const known = [...BUILTIN_AGENTS, ...Object.keys(config.agents).filter((k) => !BUILTIN_AGENTS.includes(k as never))];
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
