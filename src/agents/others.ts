/**
 * Agents without braid hooks: their state comes from the screen (detectors) and the process.
 * Flags follow each CLI's documented interface; read-only is only asked of agents that have such a mode.
 */
import type { AgentAdapter, AgentLaunch, LaunchRequest } from "./types.js";

function launch(argv: string[]): AgentLaunch {
  return { argv, env: {}, conversationId: null, hooks: false };
}

export function codexAdapter(command: string[] = ["codex"]): AgentAdapter {
  return {
    name: "codex",
    command,
    install: "npm install -g @openai/codex",
    statePaths: [".codex"],
    supportsReadOnly: true,
    supportsResume: true,
    build(req: LaunchRequest) {
      const argv = [...command];
      if (req.headless) argv.push("exec");
      else if (req.resume) argv.push("resume", "--last");
      if (req.readOnly) argv.push("--sandbox", "read-only");
      if (req.prompt) argv.push("--", req.prompt);
      return launch(argv);
    },
  };
}

export function aiderAdapter(command: string[] = ["aider"]): AgentAdapter {
  return {
    name: "aider",
    command,
    install: "python -m pip install aider-install && aider-install",
    statePaths: [".aider"],
    supportsReadOnly: true,
    supportsResume: true,
    build(req: LaunchRequest) {
      const argv = [...command];
      if (req.resume) argv.push("--restore-chat-history");
      if (req.readOnly) argv.push("--dry-run");
      // aider has no "first prompt, then stay interactive" flag: interactive sessions get the task via `braid send`.
      if (req.headless && req.prompt) argv.push("--yes-always", "--message", req.prompt);
      return launch(argv);
    },
  };
}

export function geminiAdapter(command: string[] = ["gemini"]): AgentAdapter {
  return {
    name: "gemini",
    command,
    install: "npm install -g @google/gemini-cli",
    statePaths: [".gemini"],
    supportsReadOnly: false,
    supportsResume: true,
    build(req: LaunchRequest) {
      const argv = [...command];
      if (req.resume) argv.push("--resume", "latest");
      if (req.prompt) argv.push(req.headless ? "--prompt" : "--prompt-interactive", req.prompt);
      return launch(argv);
    },
  };
}

/** A user-defined agent: `agents.<name>.command`; the prompt is appended as the last argument. */
export function customAdapter(name: string, command: string[]): AgentAdapter {
  return {
    name,
    command,
    install: `check \`agents.${name}.command\` in braid.toml`,
    supportsReadOnly: false,
    supportsResume: false,
    build(req: LaunchRequest) {
      return launch(req.prompt ? [...command, req.prompt] : [...command]);
    },
  };
}
