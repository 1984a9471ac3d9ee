/**
 * One agent CLI as a unit: everything braid knows about it (how to run it in a session and once, how to read
 * its screen, which tools it gets, where it keeps transcripts and what they cost). The registry (index.ts)
 * picks the unit for a name.
 */
import type { Autonomy } from "./autonomy.js";
import type { TranscriptCursor } from "./claude/transcript.js";
import type { ScreenReading } from "./detectors/screen.js";

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

/** A one-shot run: prompt in, final answer out (swarm planner/executors/reviewers, fork questions). */
export interface OneShotRequest {
  prompt: string;
  /** JSON schema the final answer must satisfy (Claude: --json-schema; others: stated in the prompt). */
  jsonSchema?: Record<string, unknown>;
  /** `read-only` cannot change files, `write` can edit and run commands. */
  tools: "read-only" | "write";
  /** With tools "write": how much it may do without asking. */
  autonomy: Autonomy;
  /** Continue a conversation (agents that can: claude); with fork, as a new branch of it. */
  resume?: { sessionId: string; fork?: boolean };
}

export interface OneShotLaunch {
  argv: string[];
  /** Written to the agent's stdin ("" = nothing). */
  stdin: string;
  /** Whether the last argument is the prompt (left out when the command line is shown or logged). */
  promptInArgv: boolean;
  /** How to read its stdout: Claude's JSON result, or plain text (JSON found in it). */
  output: "claude-json" | "text";
}

/** Where an agent's transcripts are and how to read their token usage (cost). */
export interface UsageReader {
  /** The transcript files of a session in `worktree` (plus `known` ones its hooks reported). */
  transcriptFiles(worktree: string, known: string[]): string[];
  /** Read what a transcript gained since `cursor`. */
  readTranscript(file: string, cursor: TranscriptCursor | undefined): TranscriptCursor;
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
  /** The session's argv (interactive, or headless with `req.headless`). */
  build(req: LaunchRequest): AgentLaunch;
  /** The argv of a one-shot run. */
  oneShot(req: OneShotRequest): OneShotLaunch;
  /** What its screen says (pure, over capture-pane text); absent: the agent has no detector. */
  detect?: (screen: string) => ScreenReading | null;
  /** Its transcripts and their usage; absent: braid cannot count its tokens. */
  usage?: UsageReader;
}
