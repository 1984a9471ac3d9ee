/**
 * Swarm mode: plan → execute batches in parallel sub-worktrees → integrate into the session branch
 * → parallel reviews → fix rounds, until every reviewer passes or the rounds run out.
 * Headless: braid drives one-shot agents (src/agents/invoke.ts) and records every step in the
 * swarm record so `braid swarm NAME` / `braid status` can follow it live.
 */
import { existsSync, renameSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Autonomy, requireAutonomyAllowed, sessionAutonomy } from "../agents/autonomy.js";
import { resolveAgent } from "../agents/index.js";
import { type InvokeResult, invokeAgent, requireAgentProgram } from "../agents/invoke.js";
import { hookContext } from "../coord/deliver.js";
import { Repo } from "../git/repo.js";
import { BraidError } from "../infra/errors.js";
import { mapLimit } from "../infra/pool.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { type OneShotSandbox, oneShotSandbox } from "../sandbox/oneshot.js";
import { type SandboxTarget, sandboxDir } from "../sandbox/session.js";
import {
  addSubWorktree,
  combinedDiff,
  executorBranch,
  filesOutside,
  mergeInto,
  recordWork,
  removeSubWorktree,
} from "./branches.js";
import { ownedOverlap } from "./overlap.js";
import { PLAN_JSON_SCHEMA, type Subtask, singleExecutorPlan, validatePlan } from "./plan.js";
import {
  executorPrompt,
  fixerPrompt,
  plannerPrompt,
  REVIEW_FOCI,
  reviewerPrompt,
  VERDICT_JSON_SCHEMA,
} from "./prompts.js";
import {
  type AgentRun,
  type Issue,
  type Round,
  readSwarm,
  type SwarmRecord,
  type SwarmState,
  saveSwarm,
  swarmAlive,
  swarmLogDir,
  swarmRecordPath,
  type Verdict,
} from "./record.js";
import { swarmReport } from "./report.js";

export interface SwarmOptions {
  /** An existing session: its worktree is the swarm's home and its branch receives the work. */
  name: string;
  task: string;
  agent?: string;
  executors?: number;
  architects?: number;
  rounds?: number;
  /** What executors may do without asking (default: the session's, else config `autonomy`). */
  autonomy?: Autonomy;
  /** Run every planner, executor and reviewer in the bubblewrap sandbox (decided by the caller). */
  sandbox?: boolean;
  /** Called after every recorded step (the CLI prints progress from it). */
  onProgress?: (rec: SwarmRecord) => void;
}

/** An executor's sandbox dir lives under its session's (so rm, clean and doctor treat it as the session's). */
function executorSandboxName(session: string, id: string): string {
  return `${session}/swarm/${id}`;
}

/** Run a swarm to its end. Resolves with the final record (state done or failed); throws only for bad input. */
export async function runSwarm(ctx: ProjectContext, opts: SwarmOptions): Promise<SwarmRecord> {
  const session = ctx.store.require(opts.name);
  const swarm = new Swarm(ctx, session, opts);
  await swarm.prepare();
  return swarm.run();
}

class Swarm {
  private rec!: SwarmRecord;
  private memory: string | undefined;
  private readonly agent: string;
  private readonly timeoutMs: number;
  private readonly autonomy: Autonomy;

  constructor(
    private readonly ctx: ProjectContext,
    private readonly session: SessionRecord,
    private readonly opts: SwarmOptions,
  ) {
    this.agent = opts.agent ?? session.agent ?? ctx.config.agent;
    this.timeoutMs = ctx.config.agent_timeout * 1000;
    this.autonomy =
      opts.autonomy ??
      sessionAutonomy(session, ctx.config.autonomy, { sandboxed: opts.sandbox === true, headless: true });
  }

  /** Checks that must pass before anything is recorded. */
  async prepare(): Promise<void> {
    const { ctx, session, opts } = this;
    if (!opts.task.trim()) throw new BraidError("the swarm task is empty", "say what the swarm should build");
    for (const [flag, v] of [
      ["--executors", opts.executors],
      ["--architects", opts.architects],
      ["--rounds", opts.rounds],
    ] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 32)) {
        throw new BraidError(`${flag} must be a whole number from 1 to 32 (got ${v})`, `pass e.g. ${flag} 3`);
      }
    }
    requireAgentProgram(this.agent, ctx.config.agents);
    requireAutonomyAllowed(this.autonomy, this.opts.sandbox === true);
    if (session.type !== "implementation") {
      throw new BraidError(
        `session "${session.name}" is a ${session.type} session; a swarm commits to its branch`,
        "run the swarm in an implementation session",
      );
    }
    if (!existsSync(session.path)) {
      throw new BraidError(`session "${session.name}" has no worktree at ${session.path}`, "run `braid doctor --fix`");
    }
    const previous = readSwarm(ctx, session.name);
    if (previous && swarmAlive(previous)) {
      throw new BraidError(
        `a swarm is already running in session "${session.name}" (pid ${previous.pid})`,
        `watch it with \`braid swarm ${session.name}\``,
      );
    }
    if (await new Repo(session.path).isDirty()) {
      throw new BraidError(
        `session "${session.name}" has uncommitted changes; the swarm merges into its branch`,
        "commit or stash them first",
      );
    }
    if (previous) {
      // Nothing lost: the earlier run's record is kept next to the new one.
      const p = swarmRecordPath(ctx, session.name);
      renameSync(p, p.replace(/\.json$/, `.${previous.startedAt.replace(/[:.]/g, "-")}.json`));
    }
    this.memory = await hookContext(ctx, session.name, "SessionStart");
    const head = await new Repo(session.path).head();
    this.rec = {
      version: 1,
      name: session.name,
      task: opts.task,
      agent: this.agent,
      state: "planning",
      phase: "planning",
      pid: process.pid,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      sessionPath: session.path,
      sessionBranch: session.branch,
      startCommit: head,
      executors: opts.executors ?? ctx.config.swarm_executors,
      architects: opts.architects ?? ctx.config.swarm_architects,
      maxRounds: opts.rounds ?? ctx.config.swarm_rounds,
      plan: null,
      agents: [],
      rounds: [],
      report: null,
      error: null,
    };
    await this.setState("planning", "planning");
  }

  async run(): Promise<SwarmRecord> {
    try {
      await this.plan();
      const round1 = this.newRound([]);
      const batches = this.rec.plan?.batches ?? [];
      for (const [bi, batch] of batches.entries()) {
        await this.setState("executing", `round 1: batch ${bi + 1}/${batches.length}`);
        const ok = await this.executeAndIntegrate(
          round1,
          batch.map((s) => ({
            id: `r1-${s.id}`,
            role: "executor" as const,
            batch: bi + 1,
            subtask: s,
            prompt: executorPrompt(this.rec.task, s, this.memory),
          })),
        );
        if (!ok) return this.finish("failed");
      }
      for (let round = 1; ; round++) {
        const current = this.rec.rounds[round - 1] as Round;
        const passed = await this.review(current);
        if (passed) return this.finish("done");
        if (round >= this.rec.maxRounds) {
          this.rec.error = `reviewers did not all pass after ${round} round${round === 1 ? "" : "s"}`;
          return this.finish("failed");
        }
        const issues = current.verdicts.flatMap((v) => v.issues);
        const next = this.newRound(issues.map((i) => i.id));
        await this.setState("fixing", `round ${next.round}: fixing ${issues.length} issue(s)`);
        const ok = await this.executeAndIntegrate(next, this.fixJobs(next.round, issues));
        if (!ok) return this.finish("failed");
      }
    } catch (e) {
      this.rec.error = e instanceof BraidError ? e.oneLine() : `internal error: ${(e as Error).message}`;
      return this.finish("failed");
    }
  }

  // ---- plan ----

  private async plan(): Promise<void> {
    const errors: string[] = [];
    for (const attempt of [1, 2]) {
      const id = attempt === 1 ? "planner" : "planner-retry";
      const res = await this.invoke(
        { id, role: "planner", round: 0, batch: null, subtask: null, focus: null },
        this.session.path,
        plannerPrompt(this.rec.task, this.memory, attempt === 2 ? errors : undefined),
        "read-only",
        PLAN_JSON_SCHEMA,
      );
      if (!res.ok) {
        errors.splice(0, errors.length, `the planner failed: ${res.error}`);
        continue;
      }
      const check = validatePlan(res.output);
      if (check.ok) {
        this.rec.plan = {
          source: attempt === 1 ? "planner" : "retry",
          errors: [...errors],
          batches: check.plan.batches,
        };
        this.save();
        return;
      }
      errors.splice(0, errors.length, ...(res.output === null ? ["the answer was not JSON"] : check.errors));
    }
    this.rec.plan = { source: "fallback", errors, batches: singleExecutorPlan(this.rec.task).batches };
    this.save();
  }

  // ---- execute + integrate ----

  private async executeAndIntegrate(round: Round, jobs: Job[]): Promise<boolean> {
    const from = await new Repo(this.session.path).head();
    const runs = await mapLimit(jobs, this.rec.executors, (job) => this.execute(round.round, job, from));
    const failed = runs.filter((r) => r.state === "failed");
    if (failed.length) {
      this.rec.error = failed.map((r) => `${r.id}: ${r.error}`).join("; ");
      await this.cleanup(runs);
      return false;
    }
    await this.setState(
      "integrating",
      `round ${round.round}: merging ${runs.filter((r) => r.commit).length} branch(es)`,
    );
    for (const r of runs) {
      if (!r.commit || !r.branch) continue;
      const merge = await mergeInto(this.session.path, r.branch, `swarm ${this.rec.name}: merge ${r.id}`);
      round.merges.push(merge);
      this.save();
      if (merge.conflict) {
        this.rec.error = `merging ${r.branch} into ${this.rec.sessionBranch} conflicts in ${merge.conflict.join(", ")}`;
        await this.cleanup(runs);
        return false;
      }
    }
    await this.cleanup(runs);
    return true;
  }

  private async execute(round: number, job: Job, from: string): Promise<AgentRun> {
    const branch = executorBranch(this.rec.name, round, job.id.replace(/^r\d+-/, ""));
    const path = join(`${this.session.path}.swarm`, job.id);
    const wt = await addSubWorktree(this.ctx.project.mainWorktree, path, branch, from);
    const meta = { id: job.id, role: job.role, round, batch: job.batch, subtask: job.subtask?.id ?? null, focus: null };
    const res = await this.invoke(meta, wt.path, job.prompt, "write", undefined, wt);
    const run = this.agentRun(job.id);
    try {
      run.commit = await recordWork(
        wt,
        from,
        `swarm ${this.rec.name}: ${job.id}${job.subtask ? ` ${job.subtask.title}` : ""}`,
      );
      if (job.subtask) run.outOfBounds = await filesOutside(wt, from, job.subtask.owns);
    } catch (e) {
      run.state = "failed";
      run.error = `could not record the work: ${(e as Error).message}`;
    }
    if (!res.ok) run.state = "failed";
    this.save();
    return run;
  }

  private async cleanup(runs: AgentRun[]): Promise<void> {
    for (const r of runs) {
      if (!r.worktree) continue;
      await removeSubWorktree(this.ctx.project.mainWorktree, r.worktree);
      // its private git dir (synced after the agent exited; the branch was merged)
      rmSync(sandboxDir(this.ctx.project.stateDir, executorSandboxName(this.session.name, r.id)), {
        recursive: true,
        force: true,
      });
    }
  }

  /** Issues go to the executor that owns their file; issues on files nobody owns go to one extra fixer. */
  private fixJobs(round: number, issues: Issue[]): Job[] {
    const subtasks = (this.rec.plan?.batches ?? []).flat();
    const groups: { owner: Subtask | null; issues: Issue[] }[] = [];
    for (const issue of issues) {
      const owner = issue.file
        ? (subtasks.find((s) => s.owns.some((o) => ownedOverlap(o, issue.file as string))) ?? null)
        : null;
      // Owners whose paths overlap share one fixer so parallel fixers cannot conflict.
      const group = groups.find(
        (g) =>
          g.owner === owner ||
          (g.owner && owner && g.owner.owns.some((a) => owner.owns.some((b) => ownedOverlap(a, b)))),
      );
      if (group) group.issues.push(issue);
      else groups.push({ owner, issues: [issue] });
    }
    if (groups.length === 0) {
      // Reviewers failed without naming issues (e.g. a reviewer crashed): ask one fixer to re-check the task.
      groups.push({ owner: null, issues: [] });
    }
    return groups.map((g) => ({
      id: `r${round}-fix-${g.owner?.id ?? "misc"}`,
      role: "fixer" as const,
      batch: null,
      subtask: g.owner,
      prompt: fixerPrompt(this.rec.task, g.owner, g.issues, this.memory),
    }));
  }

  // ---- review ----

  private async review(round: Round): Promise<boolean> {
    await this.setState("reviewing", `round ${round.round}: ${this.rec.architects} reviewer(s)`);
    const diff = await combinedDiff(this.session.path, this.rec.startCommit);
    const reviewers = Array.from({ length: this.rec.architects }, (_, i) => ({
      reviewer: `a${i + 1}`,
      focus: REVIEW_FOCI[i % REVIEW_FOCI.length] as string,
    }));
    round.verdicts = await mapLimit(reviewers, reviewers.length, async ({ reviewer, focus }) => {
      const res = await this.invoke(
        {
          id: `r${round.round}-review-${reviewer}`,
          role: "reviewer",
          round: round.round,
          batch: null,
          subtask: null,
          focus,
        },
        this.session.path,
        reviewerPrompt(this.rec.task, focus, diff),
        "read-only",
        VERDICT_JSON_SCHEMA,
      );
      return toVerdict(reviewer, focus, res);
    });
    round.passed = round.verdicts.every((v) => v.verdict === "PASS");
    this.save();
    return round.passed;
  }

  // ---- bookkeeping ----

  private async invoke(
    meta: Pick<AgentRun, "id" | "role" | "round" | "batch" | "subtask" | "focus">,
    cwd: string,
    prompt: string,
    tools: "read-only" | "write",
    schema?: Record<string, unknown>,
    wt?: { branch: string; path: string },
  ): Promise<InvokeResult> {
    const logFile = join(swarmLogDir(this.ctx, this.rec.name), `${meta.id}.log`);
    const run: AgentRun = {
      ...meta,
      branch: wt?.branch ?? null,
      worktree: wt?.path ?? null,
      state: "running",
      startedAt: new Date().toISOString(),
      finishedAt: null,
      durationMs: null,
      logFile,
      commit: null,
      outOfBounds: [],
      error: null,
      costUsd: null,
    };
    this.rec.agents = this.rec.agents.filter((a) => a.id !== meta.id);
    this.rec.agents.push(run);
    this.save();
    const sandbox = this.opts.sandbox ? this.sandboxFor(meta.id, cwd, wt) : undefined;
    const res = await invokeAgent({
      ...(sandbox ? { sandbox } : {}),
      agent: this.agent,
      agents: this.ctx.config.agents,
      prompt,
      cwd,
      tools,
      autonomy: this.autonomy,
      jsonSchema: schema,
      timeoutMs: this.timeoutMs,
      logFile,
      env: { BRAID_SESSION: this.rec.name, BRAID_SWARM_AGENT: meta.id },
    });
    // An executor's commits made inside come back to its branch before braid records the rest.
    await sandbox?.after();
    Object.assign(run, {
      state: res.ok ? "ok" : "failed",
      finishedAt: new Date().toISOString(),
      durationMs: res.durationMs,
      error: res.error,
      costUsd: res.costUsd,
    });
    this.save();
    return res;
  }

  /** Planners and reviewers see the session read-only; an executor writes its sub-worktree and commits there. */
  private sandboxFor(id: string, cwd: string, wt?: { branch: string; path: string }): OneShotSandbox {
    const statePaths = resolveAgent(this.ctx.config, this.agent).statePaths ?? [];
    const target: SandboxTarget = wt
      ? { name: executorSandboxName(this.session.name, id), path: wt.path, type: "implementation", branch: wt.branch }
      : { name: this.session.name, path: cwd, type: "research", branch: this.session.branch };
    return oneShotSandbox(this.ctx, target, statePaths);
  }

  private agentRun(id: string): AgentRun {
    return this.rec.agents.find((a) => a.id === id) as AgentRun;
  }

  private newRound(fixing: string[]): Round {
    const round: Round = { round: this.rec.rounds.length + 1, fixing, merges: [], verdicts: [], passed: null };
    this.rec.rounds.push(round);
    this.save();
    return round;
  }

  private save(): void {
    saveSwarm(this.ctx, this.rec);
    this.opts.onProgress?.(this.rec);
  }

  private async setState(state: SwarmState, phase: string): Promise<void> {
    this.rec.state = state;
    this.rec.phase = phase;
    this.save();
    const status = state === "done" ? "done" : state === "failed" ? "failed" : "working";
    await this.ctx.store
      .update((d) => {
        const s = d.sessions.find((x) => x.name === this.rec.name);
        if (!s) return;
        if (s.status !== status) {
          s.status = status;
          s.statusSince = new Date().toISOString();
        }
        s.agent = this.agent;
        s.ext = { ...s.ext, swarm: { state, phase, record: swarmRecordPath(this.ctx, this.rec.name) } };
      })
      .catch(() => undefined); // the record file is the source of truth; the session view is a convenience
  }

  private async finish(state: "done" | "failed"): Promise<SwarmRecord> {
    this.rec.finishedAt = new Date().toISOString();
    try {
      rmdirSync(`${this.session.path}.swarm`); // only when empty: sub-worktrees are removed after integration
    } catch {
      /* not empty or never made */
    }
    const last = this.rec.rounds[this.rec.rounds.length - 1];
    const phase =
      state === "done" ? `all reviewers passed in round ${last?.round ?? 0}` : (this.rec.error ?? "see the report"); // shown after the state: "swarm failed: <why>"
    this.rec.state = state;
    this.rec.report = swarmReport({ ...this.rec, state, phase });
    await this.setState(state, phase);
    return this.rec;
  }
}

interface Job {
  id: string;
  role: "executor" | "fixer";
  batch: number | null;
  subtask: Subtask | null;
  prompt: string;
}

const SEVERITIES = new Set(["critical", "high", "medium", "low"]);

/** Read a reviewer's answer leniently: anything unusable becomes an ERROR verdict (not a pass). */
export function toVerdict(reviewer: string, focus: string, res: InvokeResult): Verdict {
  if (!res.ok) return { reviewer, focus, verdict: "ERROR", summary: "", issues: [], error: res.error };
  const o = res.output as { verdict?: unknown; summary?: unknown; issues?: unknown } | null;
  const verdict = typeof o?.verdict === "string" ? o.verdict.toUpperCase() : null;
  if (!o || (verdict !== "PASS" && verdict !== "FAIL")) {
    return {
      reviewer,
      focus,
      verdict: "ERROR",
      summary: res.text.slice(0, 500),
      issues: [],
      error: "no PASS/FAIL verdict in the answer",
    };
  }
  const issues: Issue[] = (Array.isArray(o.issues) ? o.issues : []).map((raw: unknown, i: number) => {
    const x = (raw ?? {}) as Record<string, unknown>;
    const ownId = String(x.id ?? i + 1).replace(/[^A-Za-z0-9_.-]/g, "") || String(i + 1);
    return {
      id: `${reviewer}-${ownId}`,
      severity: (SEVERITIES.has(String(x.severity)) ? x.severity : "medium") as Issue["severity"],
      file: typeof x.file === "string" && x.file ? x.file : null,
      line: typeof x.line === "number" ? x.line : null,
      description: String(x.description ?? x.issue ?? ""),
      fix: String(x.fix ?? ""),
    };
  });
  return { reviewer, focus, verdict, summary: typeof o.summary === "string" ? o.summary : "", issues, error: null };
}
