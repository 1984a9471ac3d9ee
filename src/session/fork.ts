/**
 * `braid fork`: a read-only research session that continues another session's Claude conversation
 * (claude --resume <id> --fork-session) in a detached worktree at that session's current state
 * (a snapshot commit, uncommitted work included), so it can explore without touching its files.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { resolveAgent } from "../agents/index.js";
import { type InvokeResult, invokeAgent, requireAgentProgram } from "../agents/invoke.js";
import { GitError } from "../git/git.js";
import { Repo } from "../git/repo.js";
import { snapshotWorktree } from "../git/snapshot.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { fillTemplate } from "../project/template.js";
import { runtimeOf } from "../runtime/run.js";
import { oneShotSandbox } from "../sandbox/oneshot.js";
import { validateSessionName } from "../worktree/names.js";
import { readLive } from "./live.js";
import { guardCommits } from "./readonly.js";

/** What a fork remembers, in its record under `ext.fork`. */
export interface ForkInfo {
  from: string;
  /** The parent's conversation the fork continues from. */
  parentConversation: string;
  /** Commit the fork's detached worktree is at. */
  snapshot: string;
  /** The fork's own conversation id, once it has one. */
  conversationId: string | null;
}

declare module "../project/state.js" {
  interface SessionExt {
    fork?: ForkInfo;
  }
}

export function forkInfoOf(rec: SessionRecord): ForkInfo | null {
  const f = rec.ext?.fork;
  return f && typeof f === "object" && typeof f.parentConversation === "string" ? f : null;
}

/** Claude Code keeps a project's transcripts in ~/.claude/projects/<cwd with every non-alphanumeric as '-'>. */
export function claudeProjectDir(cwd: string): string {
  const base = process.env.CLAUDE_CONFIG_DIR || join(process.env.HOME || homedir(), ".claude");
  return join(base, "projects", cwd.replace(/[^A-Za-z0-9]/g, "-"));
}

/** The parent's conversation id and transcript file: from braid's records, else the newest transcript of its worktree. */
export function findConversation(ctx: ProjectContext, rec: SessionRecord): { id: string; transcript: string } | null {
  const live = readLive(ctx.project.stateDir, rec.name);
  const rt = runtimeOf(rec);
  const fork = forkInfoOf(rec);
  const dir = claudeProjectDir(rec.path);
  for (const [id, path] of [
    [live?.conversationId, live?.transcriptPath],
    [rt?.conversationId, rt?.transcriptPath],
    [fork?.conversationId, null],
  ] as const) {
    if (!id) continue;
    const file = path && existsSync(path) ? path : join(dir, `${id}.jsonl`);
    if (existsSync(file)) return { id, transcript: file };
  }
  if (!existsSync(dir)) return null;
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)[0];
  return newest ? { id: newest.f.replace(/\.jsonl$/, ""), transcript: join(dir, newest.f) } : null;
}

export interface ForkOptions {
  from: string;
  /** Name of the fork (default <from>-fork, <from>-fork2 ...). */
  as?: string;
}

function defaultName(ctx: ProjectContext, from: string): string {
  for (let i = 1; ; i++) {
    const name = `${from}-fork${i === 1 ? "" : i}`;
    if (!ctx.store.get(name)) return name;
  }
}

/** Create the fork: snapshot, detached worktree, commit guard, transcript copy, registry entry. */
export async function createFork(ctx: ProjectContext, o: ForkOptions): Promise<SessionRecord> {
  const parent = ctx.store.require(o.from);
  const agent = parent.agent ?? ctx.config.agent;
  if (agent !== "claude") {
    throw new BraidError(
      `session "${o.from}" runs ${agent}; forking a conversation needs Claude Code`,
      "start a research session instead: braid start NAME --type research",
    );
  }
  requireAgentProgram("claude", ctx.config.agents);
  const conv = findConversation(ctx, parent);
  if (!conv) {
    throw new BraidError(
      `session "${o.from}" has no Claude conversation to fork yet`,
      `start it first (braid start ${o.from}) and let it answer once`,
    );
  }
  const name = o.as ?? defaultName(ctx, o.from);
  validateSessionName(name);
  if (ctx.store.get(name))
    throw new BraidError(`a session named "${name}" already exists`, "pick another name with --as");
  if (!existsSync(parent.path)) {
    throw new BraidError(`session "${o.from}" has no worktree at ${parent.path}`, "run `braid doctor --fix`");
  }
  const rawPath = fillTemplate(ctx.config.worktree_path, { repo: ctx.project.repoName, name });
  const path = isAbsolute(rawPath) ? rawPath : resolve(ctx.project.mainWorktree, rawPath);
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new BraidError(`worktree path ${path} exists and is not empty`, "remove it, or fork --as another name");
  }
  const snapshot = await snapshotWorktree(parent.path, `braid fork of ${o.from} as ${name}`);
  try {
    await new Repo(ctx.project.mainWorktree).addDetachedWorktree(path, snapshot);
  } catch (e) {
    if (e instanceof GitError)
      throw new BraidError(`could not create the fork's worktree: ${e.message}`, "see git's message");
    throw e;
  }
  try {
    await guardCommits(ctx, path, "research");
    // Claude resumes only conversations filed under the current directory: file a copy under the fork's.
    const dir = claudeProjectDir(path);
    mkdirSync(dir, { recursive: true });
    copyFileSync(conv.transcript, join(dir, `${conv.id}.jsonl`));
    return await ctx.store.update((d) => {
      if (d.sessions.some((s) => s.name === name))
        throw new BraidError(`a session named "${name}" already exists`, "pick another name");
      const now = new Date().toISOString();
      const fork: ForkInfo = { from: o.from, parentConversation: conv.id, snapshot, conversationId: null };
      const rec: SessionRecord = {
        name,
        // Detached: the snapshot commit stands in for a branch (it works wherever a revision is expected).
        branch: snapshot,
        path,
        baseRef: parent.baseRef,
        baseCommit: parent.baseCommit,
        createdAt: now,
        order: d.nextOrder++,
        type: "research",
        status: "created",
        statusSince: now,
        agent: "claude",
        createdBranch: false,
        task: `fork of ${o.from}`,
        ext: { fork },
      };
      d.sessions.push(rec);
      return rec;
    });
  } catch (e) {
    await new Repo(ctx.project.mainWorktree).removeWorktree(path).catch(() => false);
    throw e;
  }
}

/**
 * Ask the fork one question headless (read-only tools). The first question branches off the parent's
 * conversation; later ones continue the fork's own.
 */
export async function askFork(
  ctx: ProjectContext,
  rec: SessionRecord,
  prompt: string,
  o: { sandbox?: boolean } = {},
): Promise<InvokeResult> {
  const fork = forkInfoOf(rec);
  if (!fork) throw new BraidError(`session "${rec.name}" is not a fork`, "create one with `braid fork NAME`");
  if (!prompt.trim()) throw new BraidError("the question is empty", "pass --prompt TEXT");
  const resume = fork.conversationId
    ? { sessionId: fork.conversationId, fork: false }
    : { sessionId: fork.parentConversation, fork: true };
  const sandbox = o.sandbox ? oneShotSandbox(ctx, rec, resolveAgent(ctx.config, "claude").statePaths ?? []) : null;
  const res = await invokeAgent({
    ...(sandbox ? { sandbox } : {}),
    agent: "claude",
    prompt,
    cwd: rec.path,
    tools: "read-only",
    resume,
    timeoutMs: ctx.config.agent_timeout * 1000,
    logFile: join(ctx.project.stateDir, "fork", `${rec.name}.log`),
    env: { BRAID_SESSION: rec.name, BRAID_SESSION_TYPE: "research" },
  });
  if (res.sessionId && res.sessionId !== fork.conversationId) {
    await ctx.store.update((d) => {
      const s = d.sessions.find((x) => x.name === rec.name);
      const f = s && forkInfoOf(s);
      if (s && f) s.ext = { ...s.ext, fork: { ...f, conversationId: res.sessionId } };
    });
  }
  return res;
}
