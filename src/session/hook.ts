/**
 * `braid hook <event>`: called by the agent (Claude Code hooks) with the hook JSON on stdin.
 * Updates the session's live-state file, and answers:
 *   SessionStart / UserPromptSubmit → coordination context (hookContext) as additionalContext;
 *   PreToolUse of a write tool      → deny for research sessions, else the ownership guard's decision.
 * It must never block or break the agent: every failure is logged to `<stateDir>/logs/hooks.log` and
 * the process exits 0. Loaded by a fast path in main.ts (no commander); the project context (git +
 * config) is loaded only for the events that need it.
 */
import { fstatSync, read } from "node:fs";
import { basename, dirname } from "node:path";
import { FILE_EDIT_TOOLS, researchEditDenial } from "../agents/claude/tools.js";
import { cursorFileOf, notesFileOf, notesSeenFileOf } from "../coord/paths.js";
import { nothingNewSince } from "../coord/unread.js";
import { writeOut } from "../infra/stdio.js";
import type { NotifyEvent } from "../notify/fire.js";
import { hookNotifyState, mayNotify } from "../notify/when.js";
import type { ProjectContext } from "../project/context.js";
import { logHookLine } from "../project/hook-log.js";
import { applyHookEvent, type HookInput, readLive, writeLive } from "./live.js";

const FILE_EDITS = new Set(FILE_EDIT_TOOLS);

export interface HookEnv {
  session: string;
  stateDir: string;
  runId: string;
  type: string;
}

export function hookEnv(env: NodeJS.ProcessEnv = process.env): HookEnv | null {
  const session = env.BRAID_SESSION;
  const stateDir = env.BRAID_STATE_DIR;
  if (!session || !stateDir) return null;
  return { session, stateDir, runId: env.BRAID_RUN_ID ?? "", type: env.BRAID_SESSION_TYPE ?? "implementation" };
}

/**
 * The hook's JSON from fd 0, read with fs: `process.stdin` would load node's stream and socket modules, a
 * large part of a hook's start-up. A terminal gives nothing; a writer that never closes is given up on after
 * timeoutMs (the read stays pending and runHookCli's exit timer ends the process).
 */
function readStdin(timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    try {
      if (fstatSync(0).isCharacterDevice()) return resolve(""); // a terminal (or /dev/null)
    } catch {
      return resolve(""); // no stdin at all
    }
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(done, timeoutMs);
    const buf = Buffer.allocUnsafe(64 * 1024);
    const next = (): void =>
      read(0, buf, 0, buf.length, null, (err, n) => {
        if (settled) return;
        if ((err as NodeJS.ErrnoException | null)?.code === "EAGAIN") return void setTimeout(next, 5);
        if (err || n === 0) return done();
        chunks.push(Buffer.from(buf.subarray(0, n)));
        next();
      });
    next();
  });
}

/** A notification for this session (the worker dedupes, reads the config and delivers, detached). */
function notifyEvent(env: HookEnv, state: string, detail: string, since: string): NotifyEvent {
  const e = process.env;
  return {
    session: env.session,
    state,
    detail,
    since,
    stateDir: env.stateDir,
    mainWorktree: e.BRAID_MAIN_WORKTREE ?? "",
    project: e.BRAID_PROJECT ?? "",
  };
}

/** What the hook prints for Claude Code (null = nothing). */
export type HookOutput = Record<string, unknown> | null;

/**
 * The project context for a hook, without running git: braid put everything it needs into the agent's
 * environment at launch. Falls back to the full lookup when launched by an older braid.
 */
async function hookProjectContext(input: HookInput, env: HookEnv): Promise<ProjectContext> {
  const main = process.env.BRAID_MAIN_WORKTREE;
  const slug = process.env.BRAID_PROJECT;
  if (!main || !slug) {
    const { loadContext } = await import("../project/context.js");
    return loadContext(input.cwd || process.cwd());
  }
  const [{ loadConfigFast }, { StateStore }] = await Promise.all([
    import("../project/config-fast.js"),
    import("../project/state.js"),
  ]);
  return {
    project: {
      commonDir: dirname(env.stateDir),
      mainWorktree: main,
      repoName: basename(main),
      slug,
      stateDir: env.stateDir,
      currentWorktree: input.cwd || process.cwd(),
    },
    config: await loadConfigFast(main, env.stateDir),
    store: new StateStore(env.stateDir),
  };
}

/** A prompt with no note waiting (the common case), known from the notes file's size and mtime alone. */
function nothingToDeliver(env: HookEnv): boolean {
  const slug = process.env.BRAID_PROJECT;
  return (
    !!slug &&
    nothingNewSince(
      notesFileOf(slug),
      cursorFileOf(env.stateDir, env.session),
      notesSeenFileOf(env.stateDir, env.session),
    )
  );
}

async function answer(event: string, input: HookInput, env: HookEnv): Promise<HookOutput> {
  if (event === "UserPromptSubmit" && nothingToDeliver(env)) return null;
  if (event === "SessionStart" || event === "UserPromptSubmit") {
    const [ctx, { hookContext }] = await Promise.all([hookProjectContext(input, env), import("../coord/deliver.js")]);
    const text = await hookContext(ctx, env.session, event);
    return text ? { hookSpecificOutput: { hookEventName: event, additionalContext: text } } : null;
  }
  if (event === "PreToolUse" && FILE_EDITS.has(input.tool_name ?? "")) {
    if (env.type === "research") return researchEditDenial(env.session);
    const path = String(input.tool_input?.file_path ?? input.tool_input?.notebook_path ?? "");
    if (!path) return null;
    const [ctx, { checkOwnership }] = await Promise.all([hookProjectContext(input, env), import("../radar/guard.js")]);
    const d = await checkOwnership(ctx, env.session, path);
    if (d.decision === "deny")
      return {
        hookSpecificOutput: {
          hookEventName: "PreToolUse",
          permissionDecision: "deny",
          permissionDecisionReason: d.reason ?? "braid: another session owns this file",
        },
      };
    if (d.decision === "warn" && d.reason)
      return { hookSpecificOutput: { hookEventName: "PreToolUse", additionalContext: d.reason } };
  }
  return null;
}

/** Handle one hook event; the returned output is printed as JSON. Never throws. */
export async function handleHook(event: string, raw: string, env: HookEnv): Promise<HookOutput> {
  let input: HookInput = {};
  try {
    input = raw.trim() ? (JSON.parse(raw) as HookInput) : {};
  } catch {
    logHookLine(env.stateDir, `${env.session} ${event}: hook input is not JSON: ${raw.slice(0, 200)}`);
  }
  try {
    const prev = readLive(env.stateDir, env.session);
    const withLaunch = { ...input, braidInitialPrompt: process.env.BRAID_INITIAL_PROMPT === "1" };
    const next = applyHookEvent(prev, env.runId, event, withLaunch);
    writeLive(env.stateDir, env.session, next);
    const notify = hookNotifyState(prev?.runId === env.runId ? prev : null, next, event);
    // The worker's spawn (child_process) loads only when a notify key is configured.
    if (notify && mayNotify(process.env.BRAID_MAIN_WORKTREE ?? "")) {
      const { fireNotify } = await import("../notify/fire.js");
      fireNotify(notifyEvent(env, notify, next.detail ?? "", next.since));
    }
  } catch (e) {
    logHookLine(env.stateDir, `${env.session} ${event}: cannot record state: ${(e as Error).message}`);
  }
  try {
    return await answer(event, input, env);
  } catch (e) {
    logHookLine(env.stateDir, `${env.session} ${event}: ${(e as Error).message}`);
    return null;
  }
}

/** Entry from main.ts: always resolves to exit code 0. */
export async function runHookCli(args: string[]): Promise<number> {
  // Whatever happens, never hold the agent up for long.
  setTimeout(() => process.exit(0), 10_000).unref();
  const event = args[0] ?? "";
  const raw = await readStdin(2000);
  const env = hookEnv();
  if (!env || !event) return 0; // not a braid session (e.g. settings copied elsewhere): do nothing
  const out = await handleHook(event, raw, env);
  if (out) writeOut(`${JSON.stringify(out)}\n`);
  return 0;
}
