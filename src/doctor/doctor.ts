/**
 * `braid doctor`: find (and with `fix`, repair) everything that goes wrong with worktrees in practice —
 * the guide's troubleshooting section, automated. Every repair keeps files: nothing is deleted that
 * git does not already consider gone.
 */
import { type Dirent, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { ignoreGitError } from "../git/git.js";
import { Repo } from "../git/repo.js";
import type { GitWorktree } from "../git/worktrees.js";
import { listHosts } from "../hosts/registry.js";
import { isBraidError } from "../infra/errors.js";
import { unreadableLockEntries, withLock, writeFileAtomic } from "../infra/fsutil.js";
import { compactStamp } from "../infra/stamp.js";
import { integrationPath } from "../merge/integration.js";
import type { ProjectContext } from "../project/context.js";
import { readSlugRegistry } from "../project/identity.js";
import { braidHome } from "../project/paths.js";
import { backupFile, isNewerStateError, type SessionRecord } from "../project/state.js";
import { deleteNow, listTrash } from "../project/trash.js";
import { finishPending, pendingAbandoned, rollbackPending } from "../worktree/resume.js";
import type { HostFindingKind } from "./hosts.js";
import { hasGitDir, linkOk, nameFromPath, readdWorktree, recordFor, restoreRegistry } from "./repair.js";
import { SANDBOX_CHECKS, type SandboxFindingKind } from "./sandbox.js";

export type FindingKind =
  | "corrupt-state"
  | "locked"
  | "unreadable-lock"
  | "prunable"
  | "corrupt-worktree"
  | "vanished"
  | "unregistered"
  | "checked-out-twice"
  | "slug-collision"
  | "stale-slug"
  | "trash"
  | "incomplete"
  | "check-failed"
  | "orphaned-agent"
  | "orphan-service"
  | "stale-spare"
  | "integration-worktree"
  | SandboxFindingKind
  | HostFindingKind;

export interface Finding {
  kind: FindingKind;
  /** Path (or branch/slug) the finding is about. */
  where: string;
  message: string;
  /** What fixes it: the command doctor runs, or what the user should do. */
  fix: string;
  /** Whether `--fix` repairs it. */
  fixable: boolean;
  fixed: boolean;
  /** `info` findings explain something and never fail the run. */
  severity: "error" | "warning" | "info";
}

export interface DoctorReport {
  findings: Finding[];
  /** No error/warning finding is left unfixed. */
  ok: boolean;
}

export interface DoctorOptions {
  fix?: boolean;
  /** A lock without a reason (or git's own "initializing") older than this is stale. Default 1 hour. */
  staleLockMs?: number;
  now?: number;
}

/** Reasons git itself (or braid) writes while creating a worktree: left behind only by a crash. */
const TRANSIENT_LOCK = /^(initializing|braid\b.*)$/i;

export async function runDoctor(ctx: ProjectContext, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const fix = opts.fix ?? false;
  const now = opts.now ?? Date.now();
  const staleMs = opts.staleLockMs ?? 3_600_000;
  const cwd = ctx.project.mainWorktree;
  const repo = new Repo(cwd);
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, "fixed" | "severity"> & { severity?: Finding["severity"] }): Finding => {
    const full: Finding = { severity: "error", ...f, fixed: false };
    findings.push(full);
    return full;
  };
  // Each check is isolated: one that throws becomes a finding, and the others still run.
  const check = async (what: string, fn: () => Promise<void> | void): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      add({
        kind: "check-failed",
        where: what,
        message: `the ${what} check failed: ${isBraidError(e) ? e.oneLine() : ((e as Error)?.message ?? String(e))}`,
        fix: "fix what it names and run `braid doctor` again (the other checks ran)",
        fixable: false,
      });
    }
  };
  const attempt = async (f: Finding, repair: () => Promise<unknown>): Promise<void> => {
    if (!fix || !f.fixable) return;
    try {
      await repair();
      f.fixed = true;
    } catch (e) {
      f.message += ` (fix failed: ${isBraidError(e) ? e.message : (e as Error).message})`;
    }
  };

  // 1. The registry itself: nothing else about sessions can be checked if it cannot be read.
  let sessions: SessionRecord[] | null = null;
  try {
    sessions = ctx.store.sessions();
  } catch (e) {
    const bad = `${ctx.store.file}.bad-${compactStamp(new Date(now))}`;
    // A newer braid's registry is not corrupt: moving it aside would lose its sessions, so it has no --fix.
    const newer = isNewerStateError(e);
    const f = add({
      kind: "corrupt-state",
      where: ctx.store.file,
      message: isBraidError(e) ? e.message : String(e),
      fix: newer
        ? "upgrade braid to the version that wrote it"
        : `move it aside to ${bad}, restore the previous registry (${basename(backupFile(ctx.store.file))}) and add worktrees it lacks from \`git worktree list\``,
      fixable: !newer,
    });
    await attempt(f, async () => {
      await withLock(ctx.store.file, async () => {
        renameSync(ctx.store.file, bad);
        const data = await restoreRegistry(ctx);
        writeFileAtomic(ctx.store.file, `${JSON.stringify(data, null, 2)}\n`);
      });
      sessions = ctx.store.sessions();
    });
  }

  // 1b. Sessions a killed `new`/`start` left half made: roll a checkout back (never adopt it), finish a bootstrap.
  await check("half-made sessions", async () => {
    for (const s of sessions ?? []) {
      if (!s.pending || !pendingAbandoned(s)) continue;
      const checkout = s.pending.step === "checkout";
      const f = add({
        kind: "incomplete",
        where: s.path,
        message: checkout
          ? `session "${s.name}": its checkout was cut short (braid new/start was killed)`
          : `session "${s.name}": its bootstrap (copies, submodules, setup) was cut short`,
        fix: checkout
          ? `roll it back (the half checkout${s.createdBranch !== false ? " and its unused branch" : ""} and its entry), then \`braid new ${s.name}\` again`
          : `finish its bootstrap (as a rerun of \`braid new ${s.name}\` does)`,
        fixable: true,
      });
      await attempt(f, async () => {
        if (checkout) return rollbackPending(ctx, s);
        const { bootstrapWorktree } = await import("../worktree/bootstrap.js");
        await bootstrapWorktree(ctx, s);
        await finishPending(ctx, s.name);
      });
    }
    if (fix) sessions = ctx.store.sessions();
  });
  // 1c. Spares of the worktree pool that can never be used (base gone, directory missing, half made by a killed
  //     filler) and pool directories no spare names: discarded (they hold no work). A filler alive is left alone.
  let sparePaths = new Set<string>();
  let sparesBusy: string[] = [];
  await check("pool spares", async () => {
    if (sessions === null) return; // an unreadable registry names no spares (reported above)
    const { staleSpares } = await import("../worktree/pool.js");
    for (const sp of await staleSpares(ctx)) {
      const f = add({
        kind: "stale-spare",
        where: sp.path,
        message: `spare worktree of the pool: ${sp.reason}`,
        fix: "discard it (a spare holds no work; `braid pool fill` makes a new one)",
        fixable: true,
        severity: "warning",
      });
      await attempt(f, sp.fix);
    }
    const spares = ctx.store.read().spares ?? [];
    sparePaths = new Set(spares.map((sp) => sp.path));
    sparesBusy = spares.filter((sp) => sp.state !== "ready").map((sp) => sp.path);
  });
  const registered = new Set([...(sessions ?? []).map((s) => s.path), ...sparePaths]);
  const pendingPaths = new Set([...(sessions ?? []).filter((s) => s.pending).map((s) => s.path), ...sparesBusy]);

  let wts: GitWorktree[] = [];
  await check("worktree list", async () => {
    wts = await repo.worktrees();
  });

  await check("locks", async () => {
    // 2. Locks: git's own "initializing" lock (or a reasonless one) left by a crash is stale after a while;
    //    a lock with a human reason (portable drive, NFS) is the user's decision and only reported.
    // (git's "initializing" lock of a session still being made is that session's business, above.)
    for (const w of wts.filter((x) => x.locked && !x.main && !pendingPaths.has(x.path))) {
      const lockFile = await lockFileOf(cwd, w);
      const age = lockFile ? now - statSync(lockFile).mtimeMs : 0;
      const reason = w.lockReason ?? "";
      // git's own "initializing" on a worktree braid does not know marks a checkout that never finished:
      // unlocking it would let it be adopted below; it is reported there instead.
      const halfMade = reason === "initializing" && !registered.has(w.path);
      const stale = (reason === "" || TRANSIENT_LOCK.test(reason)) && age > staleMs && !halfMade;
      const f = add({
        kind: "locked",
        where: w.path,
        message: `worktree is locked${reason ? ` ("${reason}")` : ""}, ${Math.round(age / 60000)} min ago${stale ? "; the lock looks stale" : ""}`,
        fix: stale ? `git worktree unlock ${w.path}` : `if it is no longer needed: git worktree unlock ${w.path}`,
        fixable: stale,
        severity: stale ? "warning" : "info",
      });
      await attempt(f, () => repo.unlockWorktree(w.path));
    }
  });

  await check("braid locks", async () => {
    // 2b. braid's own lock dirs (state.json.lock, cascade.lock, merge/train.lock): an owner entry that cannot
    //     be read blocks every command until its timeout, and no pid can be waited for.
    for (const dir of braidLockDirs(ctx.project.stateDir)) {
      const bad = unreadableLockEntries(dir);
      if (!bad.length) continue;
      const f = add({
        kind: "unreadable-lock",
        where: dir,
        message: `lock has an owner entry braid cannot read (${bad.map((b) => basename(b)).join(", ")}): commands using it wait, then fail`,
        fix: `remove ${bad.length === 1 ? "it" : "them"} (${bad.join(" ")})`,
        fixable: true,
      });
      await attempt(f, async () => {
        for (const b of bad) rmSync(b, { force: true });
      });
    }
  });

  await check("missing worktrees", async () => {
    // 3. Worktrees whose directory is gone: git's prune clears them (locked ones are skipped by git).
    const prunable = wts.filter((w) => w.prunable && !w.locked);
    for (const w of prunable) {
      const f = add({
        kind: "prunable",
        where: w.path,
        message: `worktree directory is missing (${w.prunableReason ?? "gitdir points nowhere"})`,
        fix: "git worktree prune",
        fixable: true,
        severity: "warning",
      });
      await attempt(f, () => repo.pruneWorktrees());
    }
  });

  await check("worktree links", async () => {
    // 4. Directories whose `.git` link is broken: repair the link, else re-attach on the same branch.
    for (const w of wts.filter((x) => !x.main && !x.prunable && existsSync(x.path) && !linkOk(x.path))) {
      const nested = hasGitDir(w.path);
      const f = add({
        kind: "corrupt-worktree",
        where: w.path,
        message: nested ? "the worktree holds its own .git directory" : "the worktree's .git file points nowhere",
        fix: nested
          ? "move the nested .git directory away, then run `braid doctor --fix`"
          : w.branch
            ? `git worktree repair, else re-attach on ${w.branch} keeping files`
            : "git worktree repair",
        fixable: !nested,
      });
      await attempt(f, async () => {
        await repo.repairWorktrees();
        if (linkOk(w.path)) return;
        if (!w.branch) throw new Error("git worktree repair could not fix the link and HEAD is detached");
        await readdWorktree(ctx, w.path, w.branch);
      });
    }
    const listed = new Set(wts.map((w) => w.path));
    for (const s of sessions ?? []) {
      if (listed.has(s.path) || !existsSync(s.path)) continue;
      const nested = hasGitDir(s.path);
      const f = add({
        kind: "corrupt-worktree",
        where: s.path,
        message: `session "${s.name}" is a directory git no longer knows as a worktree`,
        fix: nested
          ? "it holds its own .git directory: move that away, then run `braid doctor --fix`"
          : `re-attach it on ${s.branch}, keeping its files (git worktree repair, else add --no-checkout + reset)`,
        fixable: !nested,
      });
      await attempt(f, async () => {
        await repo.repairWorktrees([s.path]).catch(ignoreGitError);
        if ((await repo.worktrees()).some((w) => w.path === s.path) && linkOk(s.path)) return;
        await readdWorktree(ctx, s.path, s.branch);
      });
    }
  });

  if (fix)
    await check("worktree list", async () => {
      wts = await repo.worktrees();
    });

  await check("vanished sessions", async () => {
    // 5. Registry entries whose worktree vanished: drop the entry, keep the branch (its commits stay).
    for (const s of sessions ?? []) {
      if (existsSync(s.path)) continue;
      const f = add({
        kind: "vanished",
        where: s.path,
        message: `session "${s.name}": its worktree directory is gone`,
        fix: `drop the registry entry (branch ${s.branch} is kept)`,
        fixable: true,
        severity: "warning",
      });
      await attempt(f, async () => {
        await repo.pruneWorktrees().catch(ignoreGitError);
        await ctx.store.update((d) => {
          d.sessions = d.sessions.filter((x) => x.name !== s.name);
        });
      });
    }
  });

  await check("unregistered worktrees", async () => {
    // 6. Worktrees at braid-style paths that braid does not know: offer to register them.
    const known = new Set((sessions ?? []).map((s) => s.path));
    const knownNames = new Set((sessions ?? []).map((s) => s.name));
    // (Only with a readable registry: otherwise every worktree would look unregistered.)
    const candidates = sessions === null ? [] : wts;
    for (const w of candidates.filter((x) => !x.main && !x.prunable && !known.has(x.path) && existsSync(x.path))) {
      const name = nameFromPath(ctx, w.path);
      if (!name) continue;
      // A checkout git itself marks unfinished is never adopted (its index would show every file deleted).
      const halfMade = w.locked && w.lockReason === "initializing";
      const can = Boolean(w.branch) && !knownNames.has(name) && !halfMade;
      const f = add({
        kind: "unregistered",
        where: w.path,
        message: halfMade
          ? `worktree "${name}" is a checkout that never finished (git's "initializing" lock), not registered`
          : `worktree looks like a braid session ("${name}") but is not registered`,
        fix: halfMade
          ? `remove it: git worktree remove --force --force ${w.path}`
          : can
            ? `register it as session "${name}"`
            : "check it out on a branch first, then run `braid doctor --fix`",
        fixable: can,
        severity: "warning",
      });
      await attempt(f, () =>
        ctx.store.update(async (d) => {
          if (d.sessions.some((x) => x.name === name)) throw new Error(`session "${name}" exists`);
          d.sessions.push(await recordFor(ctx, name, w.path, w.branch as string, d.nextOrder++));
        }),
      );
    }
  });

  await check("branches checked out twice", async () => {
    // 7. One branch checked out in two worktrees (git worktree add -f): commits in one silently move the other.
    const byBranch = new Map<string, string[]>();
    for (const w of wts) if (w.branch) byBranch.set(w.branch, [...(byBranch.get(w.branch) ?? []), w.path]);
    for (const [branch, paths] of byBranch) {
      if (paths.length < 2) continue;
      add({
        kind: "checked-out-twice",
        where: branch,
        message: `branch ${branch} is checked out in ${paths.length} worktrees: ${paths.join(", ")}`,
        fix: `switch all but one to another branch (git -C <path> switch -c <new-branch>)`,
        fixable: false,
      });
    }
  });

  await check("integration worktree", async () => {
    // 9. The merge train's integration worktree, kept warm between trains: braid's own, only worth knowing about.
    const path = integrationPath(ctx);
    if (!wts.some((w) => w.path === path)) return;
    add({
      kind: "integration-worktree",
      where: path,
      message: "the merge train's integration worktree, kept so the next train with a verify command only updates it",
      fix: `nothing to do; to free its disk space: git worktree remove --force ${path} (the next train makes a new one)`,
      fixable: false,
      severity: "info",
    });
  });

  await check("trash", async () => {
    // 8. Trash of removed worktrees: a background delete in progress is fine; one that was cut short
    //    (killed, reboot) left the rest behind. Only directories `braid rm` already decided to delete get here.
    for (const e of listTrash(ctx.project.stateDir)) {
      if (e.deleting) {
        add({
          kind: "trash",
          where: e.path,
          message: `a removed worktree is being deleted in the background${e.pid ? ` (pid ${e.pid})` : ""}`,
          fix: "nothing to do",
          fixable: false,
          severity: "info",
        });
        continue;
      }
      const f = add({
        kind: "trash",
        where: e.path,
        message: e.failed
          ? "a removed worktree its background delete could not delete (permissions?)"
          : "leftover of a removed worktree whose background delete did not finish",
        fix: "delete it (every braid command also restarts its delete in the background)",
        fixable: true,
        severity: "warning",
      });
      await attempt(f, async () => deleteNow(e.path));
    }
  });

  await check("orphaned agents", async () => {
    // 9. Agents alive although their record says they ended: re-adopt them (nothing is killed).
    if (!sessions) return;
    const { adoptOrphan, findOrphans } = await import("../session/adopt.js");
    for (const o of await findOrphans(ctx, sessions)) {
      const located = o.located;
      const where = located.found ? located.where : `pid ${o.agentPid}`;
      const f = add({
        kind: "orphaned-agent",
        where: o.name,
        message: `session "${o.name}" is recorded as ${o.recorded}, but its agent still runs (${where})`,
        fix: located.found
          ? `re-adopt it: mark it running again at ${where}`
          : `${located.why}: stop it by hand (kill ${o.agentPid}), then \`braid restart ${o.name}\``,
        fixable: located.found,
        severity: "warning",
      });
      await attempt(f, () => adoptOrphan(ctx, o));
    }
  });

  await check("orphan services", async () => {
    // 10. Services still running without their session's run (braid or the agent was killed mid-way).
    const { findOrphans, stopOrphan } = await import("../session/services/orphans.js");
    for (const o of await findOrphans(ctx)) {
      const pids = [o.pid && `pid ${o.pid}`, o.runnerPid && `runner ${o.runnerPid}`].filter(Boolean).join(", ");
      const f = add({
        kind: "orphan-service",
        where: `${o.session}/${o.service}`,
        message: `service ${o.service} of ${o.session} is still running (${pids}) but ${o.why}`,
        fix: "stop it (SIGTERM to its process group, then SIGKILL)",
        fixable: true,
        severity: "warning",
      });
      await attempt(f, () => stopOrphan(ctx, o));
    }
  });

  // 10b. The sandbox: bubblewrap and namespaces where wanted, overlayfs, dirs of sessions that are gone.
  for (const c of SANDBOX_CHECKS) {
    await check(c.name, async () => {
      for (const p of await c.find(ctx)) {
        const { repair, ...rest } = p;
        const f = add({ ...rest, fixable: repair !== undefined });
        if (repair) await attempt(f, repair);
      }
    });
  }

  // 10c. Hosts: unreachable ones, this project's repository where nothing of it runs, sessions there unknown here.
  await check("hosts", async () => {
    // a project without hosts loads no ssh code (a broken hosts.json is this check's finding)
    if (listHosts().length === 0) return;
    const { findHostProblems } = await import("./hosts.js");
    for (const p of await findHostProblems(ctx)) {
      const { repair, ...rest } = p;
      const f = add({ ...rest, fixable: repair !== undefined });
      if (repair) await attempt(f, repair);
    }
  });

  await check("global slugs", async () => {
    // 11. Global slugs: explain a hashed slug; drop claims whose repository is gone.
    checkSlugs(ctx, add);
    if (fix) await fixStaleSlugs(findings);
  });

  const ok = findings.every((f) => f.fixed || f.severity === "info");
  return { findings, ok };
}

/** `*.lock` dirs directly in braid's state dir and one level below (merge/train.lock). */
function braidLockDirs(stateDir: string): string[] {
  const out: string[] = [];
  const scan = (dir: string, depth: number) => {
    let ents: Dirent[];
    try {
      ents = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (!e.isDirectory()) continue;
      if (e.name.endsWith(".lock")) out.push(join(dir, e.name));
      else if (depth > 0 && !e.name.startsWith("wt-")) scan(join(dir, e.name), depth - 1);
    }
  };
  scan(stateDir, 1);
  return out;
}

async function lockFileOf(cwd: string, w: GitWorktree): Promise<string | null> {
  // git cannot run in a directory that is gone (spawn ENOENT): then look in the admin dirs only.
  const gitdir = existsSync(w.path) ? await new Repo(w.path).gitDir() : null;
  if (gitdir && existsSync(join(gitdir, "locked"))) return join(gitdir, "locked");
  // Directory missing: find the admin dir whose gitdir file points at this path.
  const common = await new Repo(cwd).commonDir();
  if (!common) return null;
  const admin = join(common, "worktrees");
  for (const id of existsSync(admin) ? readdirSync(admin) : []) {
    try {
      const g = readFileSync(join(admin, id, "gitdir"), "utf8").trim();
      if (g === join(w.path, ".git") && existsSync(join(admin, id, "locked"))) return join(admin, id, "locked");
    } catch {
      /* not a worktree admin dir */
    }
  }
  return null;
}

type Add = (f: Omit<Finding, "fixed" | "severity"> & { severity?: Finding["severity"] }) => Finding;

function checkSlugs(ctx: ProjectContext, add: Add): void {
  const { slug, repoName, commonDir } = ctx.project;
  const reg = readSlugRegistry();
  if (slug !== repoName) {
    const owner = reg.slugs[repoName];
    add({
      kind: "slug-collision",
      where: slug,
      message: `another repository (${owner ?? "unknown"}) already uses the name "${repoName}", so this one is "${slug}" in braid's global dirs (memory, notes, tmux)`,
      fix: "nothing to do; rename one repository's folder if you prefer plain names",
      fixable: false,
      severity: "info",
    });
  }
  for (const [s, dir] of Object.entries(reg.slugs)) {
    if (dir === commonDir || existsSync(dir)) continue;
    add({
      kind: "stale-slug",
      where: s,
      message: `global slug "${s}" is claimed by a repository that no longer exists (${dir})`,
      fix: `remove the claim from ${join(braidHome(), "projects.json")}`,
      fixable: true,
      severity: "info",
    });
  }
}

async function fixStaleSlugs(findings: Finding[]): Promise<void> {
  const stale = findings.filter((f) => f.kind === "stale-slug");
  if (stale.length === 0) return;
  const file = join(braidHome(), "projects.json");
  await withLock(file, () => {
    const reg = readSlugRegistry();
    for (const f of stale) {
      const dir = reg.slugs[f.where];
      if (dir && !existsSync(dir)) delete reg.slugs[f.where];
      f.fixed = true;
    }
    writeFileAtomic(file, `${JSON.stringify(reg, null, 2)}\n`);
  });
}
