/**
 * One-shot agent invocation: prompt in, final result out. The request→result primitive that
 * pipelines (swarm planner/executors/reviewers, fork questions, plan sessions) are built on.
 * Claude runs as `claude -p --output-format json [--json-schema S]` with the prompt on stdin (no
 * argv length limit); any other agent runs its configured argv with the prompt appended.
 * Always spawned with an argument array, never a shell. The child gets its own process group so a
 * timeout takes down the tools it started as well.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { BraidError } from "../infra/errors.js";
import { signalGroup } from "../infra/process.js";
import type { Config } from "../project/config.js";
import { type Autonomy, claudePermissionMode } from "./autonomy.js";
import { which } from "./which.js";

/** Which tools an agent may use: `read-only` cannot change files, `write` can edit and run commands. */
export type ToolAccess = "read-only" | "write";

export interface InvokeOptions {
  /** Agent name: claude, codex, gemini, aider, or a name under [agents] in the config. */
  agent: string;
  prompt: string;
  cwd: string;
  /** The config's custom agents (config.agents); needed only for custom names. */
  agents?: Config["agents"];
  /** JSON schema the final answer must satisfy (Claude: --json-schema; others: stated in the prompt). */
  jsonSchema?: Record<string, unknown>;
  tools?: ToolAccess;
  /** With tools "write": Claude's permission mode on top of the allowed tools (default: none, i.e. ask). */
  autonomy?: Autonomy;
  /** Continue a Claude conversation; with fork, as a new branch of it (--fork-session). */
  resume?: { sessionId: string; fork?: boolean };
  /** Kill the agent after this long. Default 30 min. */
  timeoutMs?: number;
  /** Append the command line, stdout and stderr here. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Run inside the sandbox: the argv wrapped, the environment filtered (see sandbox/oneshot.ts). */
  sandbox?: SandboxWrap;
}

/** How a one-shot agent enters the sandbox; made by the sandbox layer, applied here. */
export interface SandboxWrap {
  argv: (argv: string[]) => Promise<string[]>;
  env: (env: Record<string, string>) => Record<string, string>;
}

export interface InvokeResult {
  agent: string;
  /** argv without the prompt. */
  command: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The agent's final answer as text. */
  text: string;
  /** The structured answer: Claude's structured_output, else JSON found in the text; null if none. */
  output: unknown;
  /** Claude's session id (for --resume), when known. */
  sessionId: string | null;
  costUsd: number | null;
  /** True when the agent exited 0, did not time out and did not report an error. */
  ok: boolean;
  /** Why it is not ok, in one line. */
  error: string | null;
  logFile: string | null;
}

const READ_ONLY_TOOLS = ["Read", "Grep", "Glob", "LS"];
const WRITE_TOOLS = ["Read", "Grep", "Glob", "LS", "Write", "Edit", "MultiEdit", "Bash"];
/** Tools a read-only agent must never get, even if its settings allow them. */
export const WRITING_TOOLS = ["Write", "Edit", "MultiEdit", "NotebookEdit", "Bash"];

/** The Claude Code executable: $BRAID_CLAUDE_BIN, else `claude` on PATH. */
export function claudeBinary(): string {
  return process.env.BRAID_CLAUDE_BIN || "claude";
}

/** The program invokeAgent would run for `agent`, or null for an unknown agent (see invokeAgent's error). */
export function agentProgram(agent: string, agents?: Config["agents"]): string | null {
  if (agent === "claude") return agents?.claude?.command[0] ?? claudeBinary();
  return agents?.[agent]?.command[0] ?? ONE_SHOT[agent]?.[0] ?? null;
}

/** Throw a one-line error before anything starts when the agent's program is not installed. */
export function requireAgentProgram(agent: string, agents?: Config["agents"]): void {
  const program = agentProgram(agent, agents);
  if (program && !which(program)) {
    throw new BraidError(
      `agent "${agent}" needs \`${program}\`, which is not installed or not on PATH`,
      agent === "claude" ? "npm install -g @anthropic-ai/claude-code (or set BRAID_CLAUDE_BIN)" : `install ${program}`,
    );
  }
}

/** One-shot argv of the built-in non-Claude agents; the prompt is appended. */
const ONE_SHOT: Record<string, string[]> = {
  codex: ["codex", "exec"],
  gemini: ["gemini", "-p"],
  aider: ["aider", "--yes-always", "--message"],
};

interface Launch {
  argv: string[];
  stdin: string;
  claude: boolean;
  /** The whole environment (sandboxed runs); else the process's plus `env`. */
  env?: Record<string, string>;
}

function buildLaunch(o: InvokeOptions): Launch {
  if (o.agent === "claude") {
    const argv = [...(o.agents?.claude?.command ?? [claudeBinary()]), "-p", "--output-format", "json"];
    if (o.jsonSchema) argv.push("--json-schema", JSON.stringify(o.jsonSchema));
    const tools = o.tools ?? "read-only";
    argv.push("--allowedTools", (tools === "write" ? WRITE_TOOLS : READ_ONLY_TOOLS).join(","));
    if (tools === "read-only") argv.push("--disallowedTools", WRITING_TOOLS.join(","));
    else argv.push(...claudePermissionMode(o.autonomy ?? "ask"));
    if (o.resume) {
      argv.push("--resume", o.resume.sessionId);
      if (o.resume.fork) argv.push("--fork-session");
    }
    return { argv, stdin: o.prompt, claude: true };
  }
  const custom = o.agents?.[o.agent]?.command ?? ONE_SHOT[o.agent];
  if (!custom) {
    const known = ["claude", ...Object.keys(ONE_SHOT), ...Object.keys(o.agents ?? {})];
    throw new BraidError(`unknown agent "${o.agent}"`, `use one of: ${known.join(", ")}, or add [agents.${o.agent}]`);
  }
  const schemaNote = o.jsonSchema
    ? `\n\nAnswer with only a JSON value matching this JSON schema:\n${JSON.stringify(o.jsonSchema)}`
    : "";
  return { argv: [...custom, `${o.prompt}${schemaNote}`], stdin: "", claude: false };
}

/** Run the agent once and collect its result. Never throws for the agent's own failures: see ok/error. */
export async function invokeAgent(o: InvokeOptions): Promise<InvokeResult> {
  const launch = buildLaunch(o);
  const shown = launch.claude ? launch.argv : launch.argv.slice(0, -1);
  let log: WriteStream | null = null;
  if (o.logFile) {
    mkdirSync(dirname(o.logFile), { recursive: true });
    log = createWriteStream(o.logFile, { flags: "a" });
    log.write(`$ ${shown.join(" ")} <prompt ${o.prompt.length} chars>\n--- prompt\n${o.prompt}\n--- output\n`);
  }
  const started = Date.now();
  const raw = await runChild(o.sandbox ? await sandboxed(launch, o, o.sandbox) : launch, o, log);
  const durationMs = Date.now() - started;
  const parsed = launch.claude ? parseClaude(raw.stdout) : parseGeneric(raw.stdout);
  let error: string | null = null;
  if (raw.spawnError) error = raw.spawnError;
  else if (raw.timedOut) error = `timed out after ${Math.round((o.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`;
  else if (raw.code !== 0) error = `exit ${raw.code ?? raw.signal}: ${lastLine(raw.stderr) || lastLine(parsed.text)}`;
  else if (parsed.error) error = parsed.error;
  if (log) {
    log.write(`\n--- exit ${raw.code ?? raw.signal} after ${durationMs} ms${error ? `: ${error}` : ""}\n`);
    await new Promise<void>((r) => log?.end(r));
  }
  return {
    agent: o.agent,
    command: shown,
    exitCode: raw.code,
    signal: raw.signal,
    timedOut: raw.timedOut,
    durationMs,
    text: parsed.text,
    output: parsed.output,
    sessionId: parsed.sessionId,
    costUsd: parsed.costUsd,
    ok: error === null,
    error,
    logFile: o.logFile ?? null,
  };
}

/** The launch inside the sandbox, with its environment filtered (it replaces the process's in runChild). */
async function sandboxed(launch: Launch, o: InvokeOptions, wrap: SandboxWrap): Promise<Launch> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...o.env })) if (v !== undefined) env[k] = v;
  return { ...launch, argv: await wrap.argv(launch.argv), env: wrap.env(env) };
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const MAX_CAPTURE = 32 * 1024 * 1024;

interface RawRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError: string | null;
}

function runChild(launch: Launch, o: InvokeOptions, log: WriteStream | null): Promise<RawRun> {
  return new Promise((resolve) => {
    const [cmd, ...args] = launch.argv as [string, ...string[]];
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: launch.env ?? { ...process.env, ...o.env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let spawnError: string | null = null;
    const keep = (bucket: Buffer[]) => (d: Buffer) => {
      log?.write(d);
      if (size < MAX_CAPTURE) bucket.push(d);
      size += d.length;
    };
    child.stdout.on("data", keep(out));
    child.stderr.on("data", keep(err));
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid) signalGroup(child.pid, sig);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), 3000).unref();
    }, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e.code === "ENOENT" ? `agent command not found: ${cmd}` : `cannot start agent ${cmd}: ${e.message}`;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
        spawnError,
      });
    });
    child.stdin.on("error", () => {
      /* the agent may exit without reading its prompt; the exit code tells */
    });
    child.stdin.end(launch.stdin);
  });
}

interface Parsed {
  text: string;
  output: unknown;
  sessionId: string | null;
  costUsd: number | null;
  error: string | null;
}

/** `claude -p --output-format json` prints one result object (older versions: an array of events). */
export function parseClaude(stdout: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim());
  } catch {
    return { ...parseGeneric(stdout), error: "claude did not print a JSON result" };
  }
  const result = (Array.isArray(value) ? [...value].reverse().find((e) => e?.type === "result") : value) as
    | Record<string, unknown>
    | undefined;
  if (!result || typeof result !== "object") {
    return { text: stdout, output: null, sessionId: null, costUsd: null, error: "claude printed no result" };
  }
  const text = typeof result.result === "string" ? result.result : "";
  const output = result.structured_output ?? findJson(text);
  return {
    text,
    output,
    sessionId: typeof result.session_id === "string" ? result.session_id : null,
    costUsd: typeof result.total_cost_usd === "number" ? result.total_cost_usd : null,
    error: result.is_error === true ? `claude reported an error: ${lastLine(text) || String(result.subtype)}` : null,
  };
}

function parseGeneric(stdout: string): Parsed {
  const text = stdout.trim();
  return { text, output: findJson(text), sessionId: null, costUsd: null, error: null };
}

/** The JSON value in an answer: the whole text, a ```json fence, or the last {...} / [...] span. */
export function findJson(text: string): unknown {
  const candidates = [text.trim()];
  const fence = /```(?:json)?\s*\n([\s\S]*?)```/g;
  for (const m of text.matchAll(fence)) candidates.push((m[1] ?? "").trim());
  const first = Math.min(...["{", "["].map((c) => text.indexOf(c)).filter((i) => i >= 0));
  const last = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  if (Number.isFinite(first) && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    if (!c) continue;
    try {
      return JSON.parse(c);
    } catch {
      /* try the next candidate */
    }
  }
  return null;
}

function lastLine(s: string): string {
  const lines = s
    .trim()
    .split("\n")
    .filter((l) => l.trim());
  return (lines[lines.length - 1] ?? "").slice(0, 300);
}
