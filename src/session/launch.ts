/**
 * Launch a session's agent: what to run (the agent's adapter, or braid itself for a swarm), with which
 * environment, then hand it to the session's runner (runtime/runners.ts: tmux or headless, in the sandbox
 * or not), which starts it through the exec wrapper and waits until the agent process really exists.
 */
import { mkdirSync, realpathSync } from "node:fs";
import { requireAutonomyAllowed, sessionAutonomy } from "../agents/autonomy.js";
import { requireAgentBinary, resolveAgent } from "../agents/index.js";
import { notesPath } from "../coord/paths.js";
import { randomUuid } from "../infra/hash.js";
import type { ProjectContext } from "../project/context.js";
import { globalConfigPath } from "../project/paths.js";
import type { SessionRecord } from "../project/state.js";
import { fillTemplate } from "../project/template.js";
import { DROP_ENV } from "../runtime/local.js";
import { outputFile } from "../runtime/output.js";
import { launchDir } from "../runtime/paths.js";
import { runtimeOf, type SessionMode, type SessionRuntime } from "../runtime/run.js";
import { chooseRunner } from "../runtime/runners.js";
import { swarmLaunch } from "../swarm/launch.js";
import { fillOverlayMountPoints } from "../worktree/bootstrap.js";
import { forkInfoOf } from "./fork.js";
import { readLive } from "./live.js";
import { guardCommits, unguardCommits } from "./readonly.js";

export interface LaunchOptions {
  agent: string;
  headless: boolean;
  mode: SessionMode;
  /** Continue the previous conversation (restart). */
  resume: boolean;
  /** Run the agent in the bubblewrap sandbox. */
  sandbox?: boolean;
  /** First prompt instead of the task's (braid refresh's hand-off). */
  prompt?: string;
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The agent's environment: braid's own (PATH, ANTHROPIC_*, HOME ...) passed explicitly, plus BRAID_*. */
export function agentEnv(ctx: ProjectContext, rec: SessionRecord, runId: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROP_ENV.has(k)) env[k] = v;
  env.BRAID_SESSION = rec.name;
  env.BRAID_PROJECT = ctx.project.slug;
  env.BRAID_STATE_DIR = ctx.project.stateDir;
  env.BRAID_MAIN_WORKTREE = ctx.project.mainWorktree;
  env.BRAID_RUN_ID = runId;
  env.BRAID_SESSION_TYPE = rec.type;
  // for the hooks' shell fast paths (agents/claude.ts): where the notes are, which config may ask for notifications
  env.BRAID_NOTES_FILE = notesPath(ctx);
  env.BRAID_GLOBAL_CONFIG = globalConfigPath();
  // the worktree as the ownership guard compares paths (its real path): the edit hook's shell checks owned prefixes
  env.BRAID_WORKTREE = realOr(rec.path);
  return env;
}

/** Check everything that can be checked before creating anything (agent known + installed, tmux present). */
export function preflight(ctx: ProjectContext, agentName: string, headless: boolean): void {
  requireAgentBinary(resolveAgent(ctx.config, agentName));
  chooseRunner({ headless }).preflight();
}

/** Start the agent for `rec` now. Returns the runtime to store; throws BraidError when it cannot start. */
export async function launchAgent(ctx: ProjectContext, rec: SessionRecord, o: LaunchOptions): Promise<SessionRuntime> {
  const adapter = resolveAgent(ctx.config, o.agent);
  requireAgentBinary(adapter);
  const readOnly = rec.type === "research";
  const sandboxed = o.sandbox === true;
  const autonomy = sessionAutonomy(rec, ctx.config.autonomy, { sandboxed, headless: o.headless });
  if (!readOnly) requireAutonomyAllowed(autonomy, sandboxed);
  if (rec.type === "implementation") await unguardCommits(rec.path);
  else await guardCommits(ctx, rec.path, rec.type);
  const previous = runtimeOf(rec);
  const previousConversation = readLive(ctx.project.stateDir, rec.name)?.conversationId ?? previous?.conversationId;
  const runId = `${Date.now().toString(36)}-${randomUuid().slice(0, 8)}`;
  const dir = launchDir(ctx.project.stateDir, rec.name, runId);
  mkdirSync(dir, { recursive: true });
  const prompt = o.resume
    ? ""
    : (o.prompt ?? fillTemplate(ctx.config.prompt_template, { task: rec.task ?? "", name: rec.name, type: rec.type }));
  const hasPrompt = Boolean((rec.task || o.prompt) && prompt);
  const forkFrom = forkInfoOf(rec)?.parentConversation;
  const launch =
    o.mode === "swarm"
      ? swarmLaunch(rec)
      : adapter.build({
          // a fork's task is a label, not a prompt: the forked conversation already has its context
          prompt: hasPrompt && !forkFrom ? prompt : "",
          headless: o.headless,
          resume: o.resume,
          readOnly,
          autonomy,
          conversationId: randomUuid(),
          ...(previousConversation ? { previousConversationId: previousConversation } : {}),
          ...(forkFrom ? { forkFrom } : {}),
        });
  const fullEnv = {
    ...agentEnv(ctx, rec, runId),
    // ports and configured env (issue 18): BRAID_SLOT, BRAID_PORT, BRAID_PORT_1…, PORT, [env]
    ...(await (await import("../ports/env.js")).sessionEnv(ctx, rec)).env,
    ...launch.env,
    BRAID_INITIAL_PROMPT: o.mode !== "swarm" && hasPrompt && !forkFrom ? "1" : "0",
  };
  // copy_mode = "overlay" needs the sandbox: an unsandboxed session gets a copy instead
  if (o.sandbox !== true) await fillOverlayMountPoints(ctx, rec);
  // A swarm's driver is braid itself (it makes sub-worktrees): it sandboxes each of its agents instead.
  const runner = chooseRunner({ headless: o.headless, sandbox: o.sandbox === true && o.mode !== "swarm" });
  const logPath = outputFile(ctx.project.stateDir, rec.name, runId);
  const placed = await runner.launch({
    ctx,
    rec,
    runId,
    dir,
    argv: launch.argv,
    env: fullEnv,
    agentEnvKeys: Object.keys(launch.env),
    agentStatePaths: adapter.statePaths ?? [],
    logPath,
  });
  return {
    runner: runner.kind,
    agent: adapter.name,
    mode: o.mode,
    runId,
    conversationId: launch.conversationId,
    transcriptPath: null,
    hooks: launch.hooks,
    ...placed,
    logPath,
    launchedAt: new Date().toISOString(),
    exitCode: null,
    detail: null,
    headless: o.headless,
    readOnly,
    sandboxed: o.sandbox === true,
  };
}
