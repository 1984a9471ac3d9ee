/** What braid needs to know to run one kind of agent CLI. */
import type { Autonomy } from "./autonomy.js";

export interface LaunchRequest {
  /** First prompt (already wrapped by prompt_template); empty = none. */
  prompt: string;
  /** Run without a terminal (print/exec mode), output to a log. */
  headless: boolean;
  /** Continue the previous conversation in this worktree instead of starting afresh. */
  resume: boolean;
  /** Ask the agent itself not to write (research sessions). braid also refuses commits via git. */
  readOnly: boolean;
  /** How much the agent may do without asking (ignored for read-only sessions). Default: the agent's own. */
  autonomy?: Autonomy;
  /** braid-chosen conversation id (agents that accept one: claude). */
  conversationId: string;
  /** The previous conversation id, for resume. */
  previousConversationId?: string;
  /** Branch off this conversation into a new one (claude --resume <id> --fork-session): `braid fork`. */
  forkFrom?: string;
}

export interface AgentLaunch {
  argv: string[];
  /** Extra environment for the agent process. */
  env: Record<string, string>;
  /** Conversation id the agent will use, when braid chose it. */
  conversationId: string | null;
  /** True when the agent reports its state through braid's hooks. */
  hooks: boolean;
}

export interface AgentAdapter {
  /** Name as users type it: claude, codex, aider, gemini, or a custom name. */
  name: string;
  /** Base argv (binary first). */
  command: string[];
  /** How to install the binary, for the "not found" error. */
  install: string;
  /** Whether the agent itself can be put in a read-only mode. */
  supportsReadOnly: boolean;
  /** Whether the agent can resume its last conversation. */
  supportsResume: boolean;
  /** Where the agent keeps its own state, relative to $HOME: writable inside the sandbox. */
  statePaths?: string[];
  build(req: LaunchRequest): AgentLaunch;
}
