/**
 * `braid plan FILE --apply`: start wave 1, then start every later session as soon as all its
 * dependencies are merged (by the user's `braid merge`, or by the merge train here with autoMerge).
 * Runs in the foreground, polling; re-running it resumes (sessions that exist count as started,
 * and the plan's progress is kept in `<state dir>/plans/<file name>.json`).
 */
import { basename, join } from "node:path";
import { getHost, listHosts } from "../hosts/registry.js";
import { BraidError } from "../infra/errors.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import { isObject, readJsonFile } from "../infra/json.js";
import { runTrain } from "../merge/train.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { decideSandbox, type SandboxSetting } from "../sandbox/probe.js";
import { reconcile } from "../session/cascade.js";
import { startSession } from "../session/control.js";
import { AUTO_HOST } from "../session/host-inventory.js";
import type { PlanSession, SessionPlan } from "./file.js";

export type ApplyEvent =
  | { kind: "started"; name: string; wave: number }
  | { kind: "merged"; names: string[] }
  | { kind: "waiting"; name: string; on: string[] };

export interface ApplyResult {
  /** Every plan session has been started. */
  complete: boolean;
  started: string[];
  merged: string[];
  /** Why apply stopped early (a dependency failed, the train stopped), else null. */
  stopped: string | null;
}

export interface ApplyOptions {
  autoMerge: boolean;
  /** Run the agents without a terminal (default: config runner). */
  headless?: boolean;
  pollMs?: number;
  onEvent?: (e: ApplyEvent) => void;
}

interface Progress {
  started: string[];
  merged: string[];
}

function isProgress(v: unknown): v is Progress {
  return isObject(v) && Array.isArray(v.started) && Array.isArray(v.merged);
}

const FINISHED = new Set(["done", "idle"]);
const DEAD = new Set(["failed", "stopped"]);

function progressFile(ctx: ProjectContext, plan: SessionPlan): string {
  return join(ctx.project.stateDir, "plans", `${basename(plan.file).replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
}

function readProgress(file: string): Progress {
  // a damaged progress file only loses the "merged" memory: sessions that exist still count as started
  return readJsonFile(file, isProgress) ?? { started: [], merged: [] };
}

export function isMerged(rec: SessionRecord | undefined, progress: Progress, name: string): boolean {
  return progress.merged.includes(name) || Boolean(rec?.ext?.merge);
}

/** The sandbox setting of a plan's session: its own, else the plan's, else the config's. */
function sandboxSetting(ctx: ProjectContext, plan: SessionPlan, s: PlanSession): SandboxSetting {
  return s.sandbox ?? plan.sandbox ?? ctx.config.sandbox;
}

/** The host a plan's session runs on (its own, else the plan's), or null: here. */
function hostOf(plan: SessionPlan, s: PlanSession): string | null {
  return s.host ?? plan.host ?? null;
}

/** Before any session starts: every named host is known, `auto` has hosts to pick from. */
function checkHosts(plan: SessionPlan): void {
  for (const s of plan.sessions) {
    const host = hostOf(plan, s);
    if (!host) continue;
    if (s.sandbox)
      throw new BraidError(
        `plan ${plan.file}: session "${s.name}" sets sandbox but runs on host ${host}: not supported yet`,
        "drop its sandbox (the host's own config decides there)",
      );
    if (host === AUTO_HOST) {
      if (listHosts().length === 0)
        throw new BraidError(
          `plan ${plan.file}: session "${s.name}" has host = "auto" but there are no hosts`,
          "add one with braid host add NAME SSH_TARGET",
        );
    } else getHost(host);
  }
}

export async function applyPlan(ctx: ProjectContext, plan: SessionPlan, o: ApplyOptions): Promise<ApplyResult> {
  // Before any session starts: an unknown host, or `on` where the sandbox cannot work, is a one-line error.
  checkHosts(plan);
  for (const s of plan.sessions) if (!hostOf(plan, s)) decideSandbox(sandboxSetting(ctx, plan, s));
  const file = progressFile(ctx, plan);
  const progress = readProgress(file);
  const save = () => writeFileAtomic(file, `${JSON.stringify(progress, null, 2)}\n`);
  const waveOf = new Map(plan.waves.flatMap((w, i) => w.map((n) => [n, i + 1] as const)));
  const waitingNoted = new Set<string>();
  const result = (stopped: string | null, complete = false): ApplyResult => ({
    complete,
    started: [...progress.started],
    merged: [...progress.merged],
    stopped,
  });
  for (;;) {
    await reconcile(ctx);
    const rec = (n: string) => ctx.store.get(n);
    for (const s of plan.sessions) {
      if (rec(s.name) && !progress.started.includes(s.name)) progress.started.push(s.name); // resumed
      const r = rec(s.name);
      if (r && isMerged(r, progress, s.name) && !progress.merged.includes(s.name)) progress.merged.push(s.name);
    }
    // start every session whose dependencies are all merged
    for (const s of plan.sessions) {
      if (progress.started.includes(s.name)) continue;
      const deps = plan.deps[s.name] ?? [];
      const open = deps.filter((d) => !progress.merged.includes(d));
      if (open.length === 0) {
        await start(ctx, plan, s, o.headless);
        progress.started.push(s.name);
        save();
        o.onEvent?.({ kind: "started", name: s.name, wave: waveOf.get(s.name) ?? 0 });
        continue;
      }
      const dead = open.find((d) => DEAD.has(rec(d)?.status ?? ""));
      if (dead) {
        save();
        return result(
          `"${s.name}" waits for "${dead}", which ${rec(dead)?.status}: fix and merge it, then run the plan again`,
        );
      }
      if (!waitingNoted.has(s.name)) {
        waitingNoted.add(s.name);
        o.onEvent?.({ kind: "waiting", name: s.name, on: open });
      }
    }
    save();
    if (plan.sessions.every((s) => progress.started.includes(s.name))) return result(null, true);
    if (o.autoMerge) {
      // Merge the finished dependencies that a waiting session needs, as one train.
      const needed = new Set(
        plan.sessions.filter((s) => !progress.started.includes(s.name)).flatMap((s) => plan.deps[s.name] ?? []),
      );
      const ready = [...needed].filter((d) => !progress.merged.includes(d) && FINISHED.has(rec(d)?.status ?? ""));
      if (ready.length) {
        const report = await runTrain(ctx, { names: ready });
        if (report.stoppedAt) {
          save();
          return result(
            `the merge train stopped at "${report.stoppedAt.name}" (${report.stoppedAt.reason}${report.stoppedAt.conflictFiles.length ? `: ${report.stoppedAt.conflictFiles.join(", ")}` : ""})`,
          );
        }
        const names = report.merged.map((m) => m.name);
        progress.merged.push(...names.filter((n) => !progress.merged.includes(n)));
        save();
        if (names.length) o.onEvent?.({ kind: "merged", names });
        continue;
      }
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
  }
}

async function start(ctx: ProjectContext, plan: SessionPlan, s: PlanSession, headless?: boolean): Promise<void> {
  // what a local and a remote start share
  const shared = {
    name: s.name,
    task: s.task,
    type: s.type,
    ...(s.agent ? { agent: s.agent } : {}),
    ...(plan.base ? { base: plan.base } : {}),
    ...(s.owns.length ? { owns: s.owns } : {}),
    ...(headless ? { headless } : {}),
  };
  const host = hostOf(plan, s);
  if (host) {
    const { startRemoteSession } = await import("../session/remote.js");
    await startRemoteSession(ctx, host, shared);
    return;
  }
  await startSession(ctx, {
    ...shared,
    mode: s.mode,
    ...(s.mode === "swarm" ? { swarm: { executors: s.executors, architects: s.architects } } : {}),
    sandbox: decideSandbox(sandboxSetting(ctx, plan, s)),
  });
}
