/**
 * The worktree pool (`pool = N`): N spare worktrees under `<state>/pool/`, detached at the base tip and
 * bootstrapped, so `braid new`/`start` only moves one into place and puts a branch on it. Spares are kept in
 * the registry's `spares` list (not `sessions`: nothing that counts sessions sees them) under the registry
 * lock, so two `new` at once never take the same one. A detached `braid pool fill` at low CPU and I/O priority
 * makes, refreshes and discards them; one it finds half made by a killed filler is discarded, never used.
 */
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, sep } from "node:path";
import { braidBin } from "../agents/claude.js";
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import { isBraidError } from "../infra/errors.js";
import { faultPause } from "../infra/faults.js";
import { lockHolder, ownerAlive, withLock } from "../infra/fsutil.js";
import { hashHex } from "../infra/hash.js";
import { processStart } from "../infra/process.js";
import { randomHex } from "../infra/random.js";
import { loadConfigGated } from "../project/config-fast.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord, SpareRecord } from "../project/state.js";
import { deleteInBackground, moveToTrash } from "../project/trash.js";
import { copyPaths } from "../sandbox/overlay.js";
import type { BootstrapReport } from "./bootstrap.js";
import { addPendingRecord, type CreateOptions, maker, planWorktree, resolveBase, rollback } from "./create.js";
import { readIncludePatterns } from "./include.js";

export function poolDir(stateDir: string): string {
  return join(stateDir, "pool");
}

/** Why this project keeps no spares (null: it does). */
function poolOff(ctx: ProjectContext): string | null {
  if (ctx.config.pool === 0) return "pool = 0";
  // git refuses to move a worktree with submodules: such a repository makes its worktrees the usual way.
  if (existsSync(join(ctx.project.mainWorktree, ".gitmodules"))) return "the repository has submodules";
  return null;
}

/**
 * Setup commands that depend on the session (its name, branch, path, ports or templated env) cannot run before
 * there is one: they run when a session takes the spare. Others run in the spare.
 */
function setupAtTake(ctx: ProjectContext): boolean {
  const { setup, env, ports } = ctx.config;
  if (setup.length === 0) return false;
  return ports > 0 || [...setup, ...Object.values(env)].some((t) => t.includes("{") || t.includes("BRAID_"));
}

/**
 * What a spare's bootstrap depended on: the settings, the trust decision, and the state of the main worktree's
 * `copy` sources (each top-level entry's name, size and mtime: an install replaces package dirs). A spare made
 * under another key is discarded, so a taken spare has what a fresh bootstrap would copy now.
 */
async function bootstrapKey(ctx: ProjectContext): Promise<string> {
  const { config } = ctx;
  // The trust decision as setupPlan (trust.ts) makes it, without loading the config schema on `new`'s path.
  const gate =
    ctx.trust === undefined ? (await loadConfigGated(ctx.project.mainWorktree, ctx.project.stateDir)).gate : ctx.trust;
  const trusted = !gate || gate.trusted || !gate.keys.includes("setup");
  // One digest of the parts in order (as incremental updates would give), by infra/hash: crypto loads only here.
  let text = JSON.stringify({
    copy: config.copy,
    mode: config.copy_mode,
    setup: config.setup,
    trusted,
    env: config.env,
    ports: config.ports,
    include: readIncludePatterns(ctx.project.mainWorktree),
  });
  for (const rel of copyPaths(config.copy)) text += `\0${rel}\0${treeStamp(join(ctx.project.mainWorktree, rel))}`;
  return hashHex("sha1", text).slice(0, 16);
}

function statStamp(path: string): string {
  try {
    const st = lstatSync(path);
    return `${st.mode}:${st.size}:${st.mtimeMs}`;
  } catch {
    return "-";
  }
}

function treeStamp(path: string): string {
  const parts = [statStamp(path)];
  try {
    for (const name of readdirSync(path).sort()) parts.push(`${name}=${statStamp(join(path, name))}`);
  } catch {
    /* a file or nothing: its own stamp says enough */
  }
  return parts.join("\n");
}

/** The `.worktreeinclude` files a spare got, as they are now in the main worktree (changed: the spare is stale). */
function includeStamp(ctx: ProjectContext, included: string[]): string {
  return included
    .map((rel) => `${rel}=${statStamp(join(ctx.project.mainWorktree, rel.replace(/\/$/, "")))}`)
    .join("\n");
}

interface SpareBootstrap {
  report: BootstrapReport;
  includeStamp: string;
}

function spareBootstrap(s: SpareRecord): SpareBootstrap | null {
  const b = s.bootstrap as Partial<SpareBootstrap> | undefined;
  return b && typeof b === "object" && b.report && typeof b.includeStamp === "string" ? (b as SpareBootstrap) : null;
}

/** Whether the `.worktreeinclude` files the spare got are as they are now in the main worktree. */
function includesCurrent(ctx: ProjectContext, s: SpareRecord): boolean {
  const b = spareBootstrap(s);
  return b !== null && b.includeStamp === includeStamp(ctx, b.report.included);
}

function makerAlive(s: SpareRecord): boolean {
  const m = s.maker;
  return Boolean(m) && ownerAlive({ pid: m?.pid ?? 0, start: m?.start ?? null, host: m?.host ?? "", since: "" });
}

function self(): NonNullable<SpareRecord["maker"]> {
  return { pid: process.pid, start: processStart(process.pid), host: hostname() };
}

export interface TakenSpare {
  session: SessionRecord;
  bootstrap: BootstrapReport;
  spare: string;
}

/**
 * Make session `opts.name` from a ready spare: claim it and register the session (one registry update), move the
 * worktree into place, put the new branch on it. Null when no spare fits (another base, an existing branch,
 * stale settings): the caller makes the worktree the usual way. A kill after the claim leaves a pending
 * session that the next `new`/`doctor --fix` rolls back, and an unlisted spare that the filler/doctor removes.
 */
export async function takeSpare(ctx: ProjectContext, opts: CreateOptions): Promise<TakenSpare | null> {
  if (poolOff(ctx)) return null;
  const ready = (ctx.store.read().spares ?? []).filter((s) => s.state === "ready");
  if (ready.length === 0) return null;
  const plan = await planWorktree(ctx, opts);
  if (plan.reuseBranch) return null;
  const key = await bootstrapKey(ctx);
  const fits = new Set(
    ready
      .filter((s) => s.key === key && s.baseRef === plan.baseRef && s.baseCommit === plan.baseCommit)
      .filter((s) => includesCurrent(ctx, s))
      .map((s) => s.id),
  );
  if (fits.size === 0) return null;
  mkdirSync(dirname(plan.path), { recursive: true });
  // A rename: the spare must be on the target's file system.
  if (lstatSync(poolDir(ctx.project.stateDir)).dev !== lstatSync(dirname(plan.path)).dev) return null;
  const claimed = await ctx.store.update((data) => {
    const i = (data.spares ?? []).findIndex((s) => fits.has(s.id) && s.state === "ready");
    if (i < 0) return null;
    const [spare] = (data.spares as SpareRecord[]).splice(i, 1);
    const session = addPendingRecord(data, plan, opts, "checkout");
    return { spare: spare as SpareRecord, session };
  });
  if (!claimed) return null;
  const { spare } = claimed;
  const repo = new Repo(ctx.project.mainWorktree);
  faultPause("pool-after-claim");
  try {
    await new Repo(spare.path).attachNewBranch(plan.branch, plan.baseCommit);
    if (existsSync(plan.path)) rmdirSync(plan.path); // an empty dir (planWorktree checked): git would move into it
    await repo.moveWorktree(spare.path, plan.path);
  } catch (e) {
    await rollback(ctx.project.mainWorktree, plan);
    await discardDir(ctx, spare);
    await ctx.store.update((d) => {
      d.sessions = d.sessions.filter((s) => !(s.name === plan.name && s.pending));
    });
    if (isBraidError(e)) throw e;
    return null; // git refused (another file system, a lock): make it the usual way
  }
  faultPause("pool-after-move");
  const report = (spareBootstrap(spare) as SpareBootstrap).report;
  if (spare.setupAtTake) {
    // Setup that needs the session; a failure keeps the session pending "bootstrap", as a fresh one would.
    await ctx.store.update((d) => {
      const r = d.sessions.find((s) => s.name === plan.name);
      if (r) r.pending = maker("bootstrap");
    });
    const { bootstrapWorktree } = await import("./bootstrap.js");
    await bootstrapWorktree(ctx, claimed.session, { files: false, into: report });
  }
  const session = await ctx.store.update((d) => {
    const r = d.sessions.find((s) => s.name === plan.name);
    if (r) delete r.pending;
    return r ?? claimed.session;
  });
  return { session, bootstrap: report, spare: spare.id };
}

// --- filling

export interface FillReport {
  made: number;
  refreshed: number;
  discarded: Array<{ path: string; reason: string }>;
  ready: number;
  /** Why no spare was made (pool = 0, submodules, a failed bootstrap …). */
  note?: string;
}

function fillLock(ctx: ProjectContext): string {
  return join(poolDir(ctx.project.stateDir), "fill");
}

/**
 * Bring the pool to `pool` ready spares at the base tip: discard broken, half-made, stale or surplus ones,
 * refresh clean ones the base moved away from (by delta), make the missing ones. One filler at a time
 * (a second one waits for the first, then finds little to do).
 */
export async function fillPool(ctx: ProjectContext): Promise<FillReport> {
  mkdirSync(poolDir(ctx.project.stateDir), { recursive: true, mode: 0o700 });
  return withLock(fillLock(ctx), () => fillLocked(ctx), { timeoutMs: 600_000, what: "the worktree pool" });
}

async function fillLocked(ctx: ProjectContext): Promise<FillReport> {
  const report: FillReport = { made: 0, refreshed: 0, discarded: [], ready: 0 };
  const off = poolOff(ctx);
  const base = off ? null : await resolveBase(ctx).catch(() => null);
  const key = await bootstrapKey(ctx);
  const discard = async (s: Pick<SpareRecord, "id" | "path">, reason: string) => {
    await discardSpare(ctx, s);
    report.discarded.push({ path: s.path, reason });
  };
  for (const o of await orphanDirs(ctx)) await discard(o, "not in the pool's list (left by a killed command)");
  const spares = ctx.store.read().spares ?? [];
  for (const s of spares) {
    const why = spareProblem(ctx, s) ?? (off ? `the pool is off (${off})` : null) ?? staleness(ctx, s, key, base);
    if (why) await discard(s, why);
  }
  if (off || !base) {
    report.note = off ? `no spares: ${off}` : "no spares: the base branch cannot be resolved";
    return report;
  }
  const want = ctx.config.pool;
  let live = (ctx.store.read().spares ?? []).filter((s) => s.state === "ready");
  for (const s of live.slice(want)) await discard(s, `more spares than pool = ${want}`);
  for (const s of live.slice(0, want)) {
    if (s.baseCommit === base.commit) continue;
    if (await refreshSpare(ctx, s, base.commit)) report.refreshed++;
    else await discard(s, "could not be moved to the new base tip (not clean)");
  }
  const setupLater = setupAtTake(ctx);
  for (let guard = 0; guard < want * 2; guard++) {
    live = (ctx.store.read().spares ?? []).filter((s) => s.state === "ready");
    if (live.length >= want) break;
    const failure = await makeSpare(ctx, base, key, setupLater);
    if (failure) {
      report.note = `could not make a spare: ${failure}`;
      break;
    }
    report.made++;
  }
  report.ready = (ctx.store.read().spares ?? []).filter((s) => s.state === "ready").length;
  return report;
}

/** Broken or half made: never usable. */
function spareProblem(ctx: ProjectContext, s: SpareRecord): string | null {
  if (s.state !== "ready" && !makerAlive(s)) return `half made (${s.state}; its maker, pid ${s.maker?.pid}, is gone)`;
  if (s.state !== "ready") return null;
  if (!existsSync(join(s.path, ".git"))) return "its directory is missing";
  if (!s.path.startsWith(poolDir(ctx.project.stateDir) + sep)) return "not under the pool directory";
  return null;
}

function staleness(
  ctx: ProjectContext,
  s: SpareRecord,
  key: string,
  base: { ref: string; commit: string } | null,
): string | null {
  if (s.state !== "ready") return null;
  if (!base) return "the base branch cannot be resolved";
  if (s.baseRef !== base.ref) return `made from ${s.baseRef}, the base is now ${base.ref}`;
  if (s.key !== key) return "made under other settings or another state of the copied directories";
  if (!includesCurrent(ctx, s)) return "its .worktreeinclude files changed";
  return null;
}

/** Move a clean spare to `commit` by delta. Spares whose setup ran are remade instead (its effects follow the old tree). */
async function refreshSpare(ctx: ProjectContext, s: SpareRecord, commit: string): Promise<boolean> {
  const sb = spareBootstrap(s);
  if (!sb || sb.report.setup.ran) return false;
  const claimed = await ctx.store.update((d) => {
    const r = d.spares?.find((x) => x.id === s.id && x.state === "ready");
    if (!r) return false;
    r.state = "refreshing";
    r.maker = self();
    return true;
  });
  if (!claimed) return false;
  const wt = new Repo(s.path);
  const clean = async () => (await wt.statusEntries())?.length === 0;
  const head = await wt.resolveCommit("HEAD");
  if (head !== s.baseCommit || !(await clean())) return false;
  if (!(await wt.moveDetached(commit, { workers: ctx.config.checkout_workers }))) return false;
  if ((await wt.resolveCommit("HEAD")) !== commit || !(await clean())) return false;
  faultPause("pool-refresh-before-ready");
  return ctx.store.update((d) => {
    const r = d.spares?.find((x) => x.id === s.id);
    if (!r) return false;
    r.baseCommit = commit;
    r.state = "ready";
    delete r.maker;
    return true;
  });
}

/** Make one spare; returns why it failed (the half-made spare is removed), or null. */
async function makeSpare(
  ctx: ProjectContext,
  base: { ref: string; commit: string },
  key: string,
  setupLater: boolean,
): Promise<string | null> {
  const id = randomHex(8);
  const spare: SpareRecord = {
    id,
    path: join(poolDir(ctx.project.stateDir), `spare-${id}`),
    baseRef: base.ref,
    baseCommit: base.commit,
    createdAt: new Date().toISOString(),
    state: "filling",
    key,
    maker: self(),
    ...(setupLater ? { setupAtTake: true } : {}),
  };
  await ctx.store.update((d) => {
    d.spares = [...(d.spares ?? []), spare];
  });
  try {
    await new Repo(ctx.project.mainWorktree).addDetachedWorktree(spare.path, base.commit, {
      checkoutWorkers: ctx.config.checkout_workers,
    });
    faultPause("pool-fill-after-checkout");
    // The spare's bootstrap, as a fresh session's would run (setup only when trusted: the same gate).
    const pseudo: SessionRecord = {
      name: `spare-${id}`,
      branch: "",
      path: spare.path,
      baseRef: base.ref,
      baseCommit: base.commit,
      createdAt: spare.createdAt,
      order: 0,
      type: "implementation",
      status: "created",
    };
    const { bootstrapWorktree } = await import("./bootstrap.js");
    const report = await bootstrapWorktree(ctx, pseudo, { setup: !setupLater });
    const bootstrap: SpareBootstrap = { report, includeStamp: includeStamp(ctx, report.included) };
    await ctx.store.update((d) => {
      const r = d.spares?.find((x) => x.id === id);
      if (!r) throw new Error("the spare vanished from the registry while it was made");
      r.state = "ready";
      r.bootstrap = bootstrap;
      delete r.maker;
    });
    return null;
  } catch (e) {
    await discardSpare(ctx, spare);
    return (e as Error).message;
  }
}

/** Drop a spare from the list and delete its worktree (moved to the trash and deleted in the background). */
async function discardSpare(ctx: ProjectContext, s: Pick<SpareRecord, "id" | "path">): Promise<void> {
  await ctx.store.update((d) => {
    if (d.spares) d.spares = d.spares.filter((x) => x.id !== s.id);
  });
  await discardDir(ctx, s);
}

async function discardDir(ctx: ProjectContext, s: Pick<SpareRecord, "id" | "path">): Promise<void> {
  const repo = new Repo(ctx.project.mainWorktree);
  if (existsSync(s.path)) {
    const trashed = moveToTrash(ctx.project.stateDir, `spare-${s.id}`, s.path);
    if (trashed) deleteInBackground(trashed);
    else if (!(await repo.removeWorktree(s.path, { evenIfLocked: true }).catch(() => false)))
      rmSync(s.path, { recursive: true, force: true });
  }
  await repo.pruneWorktrees().catch(() => undefined);
}

/** Worktrees and directories under the pool directory that the list does not name (a killed take or fill). */
async function orphanDirs(ctx: ProjectContext): Promise<Array<Pick<SpareRecord, "id" | "path">>> {
  const dir = poolDir(ctx.project.stateDir);
  const known = new Set((ctx.store.read().spares ?? []).map((s) => s.path));
  const paths = new Set<string>();
  for (const w of await listWorktrees(ctx.project.mainWorktree).catch(() => []))
    if (w.path.startsWith(dir + sep)) paths.add(w.path);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) if (name.startsWith("spare-")) paths.add(join(dir, name));
  return [...paths]
    .filter((p) => !known.has(p))
    .map((p) => ({ id: p.slice(p.lastIndexOf("spare-") + 6) || "x", path: p }));
}

// --- what the rest of braid asks

export interface SpareView {
  id: string;
  path: string;
  baseRef: string;
  baseCommit: string;
  state: SpareRecord["state"];
  createdAt: string;
  /** Why it will not be used (doctor/fill discard it), or null. */
  problem: string | null;
}

/** The pool's spares with what is wrong with them (for `pool`, `ls` and `doctor`). */
export async function listSpares(ctx: ProjectContext, o: { withBase?: boolean } = {}): Promise<SpareView[]> {
  const spares = ctx.store.read().spares ?? [];
  if (spares.length === 0) return [];
  const base = o.withBase === false ? undefined : await resolveBase(ctx).catch(() => null);
  const views = spares.map((s) => ({
    id: s.id,
    path: s.path,
    baseRef: s.baseRef,
    baseCommit: s.baseCommit,
    state: s.state,
    createdAt: s.createdAt,
    problem:
      spareProblem(ctx, s) ??
      (base === null
        ? "the base branch cannot be resolved"
        : base && s.baseRef !== base.ref
          ? "its base changed"
          : null),
  }));
  return views;
}

/** Stale spares and orphan pool directories, for `doctor`: each with its fix (discard). */
export async function staleSpares(
  ctx: ProjectContext,
): Promise<Array<{ path: string; reason: string; fix: () => Promise<void> }>> {
  const out: Array<{ path: string; reason: string; fix: () => Promise<void> }> = [];
  for (const v of await listSpares(ctx)) {
    if (!v.problem) continue;
    const rec = (ctx.store.read().spares ?? []).find((s) => s.id === v.id);
    if (rec) out.push({ path: v.path, reason: v.problem, fix: () => discardSpare(ctx, rec) });
  }
  for (const o of await orphanDirs(ctx))
    out.push({
      path: o.path,
      reason: "a pool directory no spare names (left by a killed command)",
      fix: () => discardDir(ctx, o),
    });
  return out;
}

/** Discard every spare (`braid pool clear`), waiting for a running filler first. */
export async function clearPool(ctx: ProjectContext): Promise<number> {
  mkdirSync(poolDir(ctx.project.stateDir), { recursive: true, mode: 0o700 });
  return withLock(
    fillLock(ctx),
    async () => {
      const all = [...(ctx.store.read().spares ?? []), ...(await orphanDirs(ctx))];
      for (const s of all) await discardSpare(ctx, s);
      return all.length;
    },
    { timeoutMs: 600_000, what: "the worktree pool" },
  );
}

/** Is a filler running now? */
export function fillRunning(ctx: ProjectContext): boolean {
  return lockHolder(fillLock(ctx)) !== null;
}

const onPath = (cmd: string) => (process.env.PATH ?? "").split(":").some((d) => d !== "" && existsSync(join(d, cmd)));

/** `ionice -c3 -t nice -n 19` where they exist: the filler yields CPU and disk to the user's work (-t: go on if refused). */
function lowPriorityPrefix(): string[] {
  return [...(onPath("ionice") ? ["ionice", "-c3", "-t"] : []), ...(onPath("nice") ? ["nice", "-n", "19"] : [])];
}

/**
 * Start `braid pool fill` detached at low priority when the pool wants work (pool > 0, or spares to drop).
 * Best effort: a filler that cannot start leaves the pool short, and `new` falls back to a fresh worktree.
 */
export function fillInBackground(ctx: ProjectContext): void {
  // BRAID_POOL_BACKGROUND=0: scripts and tests that run `braid pool fill` themselves, when they choose.
  if (process.env.BRAID_POOL_BACKGROUND === "0") return;
  if (ctx.config.pool === 0 && (ctx.store.read().spares ?? []).length === 0) return;
  const prefix = lowPriorityPrefix();
  const argv = [...prefix, process.execPath, braidBin(), "pool", "fill"];
  try {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: ctx.project.mainWorktree,
      detached: true,
      stdio: "ignore",
    });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    /* the next `new` or `braid pool fill` tries again */
  }
}
