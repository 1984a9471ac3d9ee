/**
 * One-shot agent invocation: prompt in, final result out. The request→result primitive that
 * pipelines (swarm planner/executors/reviewers, fork questions, plan sessions) are built on.
 * The agent's unit (index.ts) gives the argv (Claude: `claude -p --output-format json [--json-schema S]`
 * with the prompt on stdin; others: their one-shot argv with the prompt appended).
 * Always spawned with an argument array, never a shell. The child gets its own process group so a
 * timeout takes down the tools it started as well.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { signalGroup } from "../infra/process.js";
import type { Config } from "../project/config.js";
import type { Autonomy } from "./autonomy.js";
import { requireAgentBinary, resolveAgent } from "./index.js";
import type { AgentAdapter, OneShotLaunch } from "./types.js";

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

/** The agent's unit, from the registry (which refuses an unknown agent: custom names from `agents`, or on PATH). */
function unitOf(agent: string, agents: Config["agents"] = {}): AgentAdapter {
  return resolveAgent({ agents }, agent);
}

/** Throw a one-line error before anything starts when the agent is unknown or its program not installed. */
export function requireAgentProgram(agent: string, agents?: Config["agents"]): void {
  requireAgentBinary(unitOf(agent, agents));
}

function buildLaunch(o: InvokeOptions): OneShotLaunch {
  return unitOf(o.agent, o.agents).oneShot({
    prompt: o.prompt,
    ...(o.jsonSchema ? { jsonSchema: o.jsonSchema } : {}),
    tools: o.tools ?? "read-only",
    autonomy: o.autonomy ?? "ask",
    ...(o.resume ? { resume: o.resume } : {}),
  });
}

/** Run the agent once and collect its result. Never throws for the agent's own failures: see ok/error. */
export async function invokeAgent(o: InvokeOptions): Promise<InvokeResult> {
  const launch = buildLaunch(o);
  const shown = launch.promptInArgv ? launch.argv.slice(0, -1) : launch.argv;
  let log: WriteStream | null = null;
  if (o.logFile) {
    mkdirSync(dirname(o.logFile), { recursive: true });
    log = createWriteStream(o.logFile, { flags: "a" });
    log.write(`$ ${shown.join(" ")} <prompt ${o.prompt.length} chars>\n--- prompt\n${o.prompt}\n--- output\n`);
  }
  const started = Date.now();
  const raw = await runChild(o.sandbox ? await sandboxed(launch, o, o.sandbox) : launch, o, log);
  const durationMs = Date.now() - started;
  const parsed = launch.output === "claude-json" ? parseClaude(raw.stdout) : parseGeneric(raw.stdout);
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
/** A one-shot launch, with the whole environment when it runs sandboxed (else the process's plus `env`). */
type Launch = OneShotLaunch & { env?: Record<string, string> };

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
