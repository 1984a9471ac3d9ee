/**
 * Sessions on hosts (braid start --host): start one through the host's braid, and their views — one ssh
 * round trip per host returns all of this project's sessions there; a host that does not answer shows its
 * sessions as `unreachable` (never stopped or failed, nothing removed) until it answers again.
 */
import type { Autonomy } from "../agents/autonomy.js";
import { type CoordBundle, coordBundle, importCoord } from "../coord/exchange.js";
import { resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { ensureMirror, fetchRefs, pushCommit, remoteRefs } from "../hosts/mirror.js";
import { getHost, type HostEntry, listHosts } from "../hosts/registry.js";
import { callHost, HostUnreachable, hostProjectDir, remoteOf } from "../hosts/remote.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord, SessionType } from "../project/state.js";
import { resolveBase } from "../worktree/create.js";
import { validateSessionName } from "../worktree/names.js";
import { AUTO_HOST, pickHost } from "./host-inventory.js";
import type { SessionView } from "./types.js";

/** What every start takes, here or on a host (a local start adds more: control.ts StartOptions). */
export interface RemoteStartOptions {
  name: string;
  task?: string;
  type?: SessionType;
  agent?: string;
  headless?: boolean;
  base?: string;
  /** Owned paths: kept in the record here, where the radar compares sessions. */
  owns?: string[];
  /** Passed to the host's braid, which checks them against what the host has (bubblewrap, its config). */
  autonomy?: Autonomy;
  sandbox?: boolean;
}

interface HostStarted {
  name: string;
  branch: string;
  path: string;
  status: SessionRecord["status"];
  agent: string | null;
  queued: boolean;
  /** Set when the host already had a session of this name (nothing was launched). */
  existed?: { baseCommit: string };
}

/**
 * Push the base commit to the project's repository on the host, let the host's braid create the worktree
 * and launch the agent, then record the session here. Nothing is recorded until the host has it, so a
 * drop mid-way leaves no half-registered session (a rerun picks up the session the host already made).
 */
export async function startRemoteSession(
  ctx: ProjectContext,
  hostName: string,
  o: RemoteStartOptions,
): Promise<{ record: SessionRecord; queued: boolean }> {
  validateSessionName(o.name);
  const mine = ctx.store.get(o.name);
  if (mine)
    throw new BraidError(
      `a session named "${o.name}" already exists${remoteOf(mine) ? ` (on host ${remoteOf(mine)?.host})` : ""}`,
      "pick another name",
    );
  const host = hostName === AUTO_HOST ? await pickHost() : getHost(hostName);
  const base = await resolveBase(ctx, o.base);
  const projectDir = hostProjectDir(host, ctx.project.slug);
  await ensureMirror(host, projectDir);
  await pushCommit(ctx.project.mainWorktree, host, projectDir, base.commit, `refs/braid/base/${o.name}`);
  const request = {
    project: ctx.project.slug,
    // the project's notes and memory travel with the start: the agent gets them in its first context
    coord: coordBundle(ctx),
    name: o.name,
    base: base.commit,
    env: host.env,
    ...(o.task !== undefined ? { task: o.task } : {}),
    ...(o.type ? { type: o.type } : {}),
    ...(o.agent ? { agent: o.agent } : {}),
    ...(o.headless ? { headless: true } : {}),
    ...(o.autonomy ? { autonomy: o.autonomy } : {}),
    ...(o.sandbox !== undefined ? { sandbox: o.sandbox } : {}),
  };
  let started: HostStarted;
  try {
    started = await callHost<HostStarted>(host, "start", request);
  } catch (e) {
    // a previous start reached the host but not this registry (network drop): adopt what the host made
    const adopted = await adoptFromHost(host, ctx, o.name, base.commit).catch((err: unknown) => {
      if (err instanceof NameTaken) throw err;
      return null;
    });
    if (!adopted && e instanceof HostUnreachable)
      throw new BraidError(
        `host ${host.name} stopped answering while starting ${o.name}: ${e.message}`,
        `run the same braid start again when it answers (braid host check ${host.name}): it adopts what the host made`,
      );
    if (!adopted) throw e;
    started = adopted;
  }
  if (started.existed && started.existed.baseCommit !== base.commit) throw nameTaken(o.name, host.name);
  const now = new Date().toISOString();
  const record = await ctx.store.update((d) => {
    if (d.sessions.some((s) => s.name === o.name))
      throw new BraidError(`a session named "${o.name}" already exists`, "pick another name");
    const rec: SessionRecord = {
      name: o.name,
      branch: started.branch,
      path: `${host.name}:${started.path}`,
      baseRef: base.ref,
      baseCommit: base.commit,
      createdAt: now,
      order: d.nextOrder++,
      type: o.type ?? "implementation",
      status: started.status,
      statusSince: now,
      createdBranch: true,
      ...(started.agent ? { agent: started.agent } : {}),
      ...(o.task ? { task: o.task } : {}),
      ...(o.owns?.length ? { owns: o.owns } : {}),
      ext: {
        remote: { host: host.name, path: started.path, branch: started.branch, projectDir },
        // the remote runner (runtime/remote-runner.ts) answers for this run: stop, send, logs, attach, looks
        session: {
          runner: "remote",
          agent: started.agent ?? o.agent ?? "agent",
          mode: "standard",
          runId: `remote-${Date.now().toString(36)}`,
          conversationId: null,
          transcriptPath: null,
          hooks: false,
          tmux: null,
          wrapperPid: null,
          logPath: null,
          launchedAt: now,
          exitCode: null,
          detail: null,
          headless: o.headless === true,
          readOnly: false,
        },
      },
    };
    d.sessions.push(rec);
    return rec;
  });
  return { record, queued: started.queued };
}

/** `braid restart` of a session on a host: the host's braid restarts it (resuming its conversation). */
export async function restartRemoteSession(
  ctx: ProjectContext,
  name: string,
  o: { freshPrompt?: string } = {},
): Promise<{ record: SessionRecord; queued: boolean; queuePosition: null; created: false }> {
  const rec = ctx.store.require(name);
  const host = getHost(remoteOf(rec)?.host as string);
  const r = await callHost<HostStarted>(host, "restart", {
    project: ctx.project.slug,
    name,
    env: host.env,
    ...(o.freshPrompt !== undefined ? { text: o.freshPrompt } : {}),
  });
  const record =
    (await ctx.store.patchSlot(name, "session", (cur) =>
      cur ? { ...cur, launchedAt: new Date().toISOString() } : cur,
    )) ?? rec;
  await ctx.store.patch(name, { status: r.status });
  return { record: ctx.store.get(name) ?? record, queued: r.queued, queuePosition: null, created: false };
}

/** The host has a session of that name that this start did not make. */
class NameTaken extends BraidError {}

function nameTaken(name: string, host: string): NameTaken {
  return new NameTaken(
    `a session named "${name}" already exists on host ${host}, not started from here`,
    "pick another name, or remove it there (braid doctor --fix removes host sessions this repository does not know, after backing them up)",
  );
}

/**
 * The host's session of this name, when it is the one this start asked for (made from the same base commit);
 * one of the same name made otherwise (another repository's braid, an older session) is a collision.
 */
async function adoptFromHost(
  host: HostEntry,
  ctx: ProjectContext,
  name: string,
  baseCommit: string,
): Promise<HostStarted | null> {
  const r = await callHost<{ sessions: SessionView[] }>(host, "status", { project: ctx.project.slug, git: false });
  const v = r.sessions.find((s) => s.name === name);
  if (!v) return null;
  if (v.baseRef !== baseCommit) throw nameTaken(name, host.name);
  const status = v.state === "unreachable" ? "starting" : v.state;
  return { name, branch: v.branch, path: v.path, status, agent: v.agent, queued: v.state === "queued" };
}

function unreachableView(s: SessionRecord, host: string, detail: string): SessionView {
  return {
    order: s.order,
    name: s.name,
    type: s.type,
    agent: s.agent ?? null,
    state: "unreachable",
    since: null,
    detail,
    runner: null,
    branch: s.branch,
    path: s.path,
    baseRef: s.baseRef,
    ahead: null,
    behind: null,
    changedFiles: null,
    linesAdded: null,
    linesRemoved: null,
    conflictsWith: [],
    unreadNotes: 0,
    tokens: null,
    costUsd: null,
    cpuPercent: null,
    rssBytes: null,
    queuePosition: null,
    host,
  };
}

/** Views of the remote sessions among `sessions`: one `_host status` per host, all hosts at once. */
export async function remoteSessionViews(ctx: ProjectContext, sessions: SessionRecord[]): Promise<SessionView[]> {
  const byHost = new Map<string, SessionRecord[]>();
  for (const s of sessions) {
    const r = remoteOf(s);
    if (!r) continue;
    byHost.set(r.host, [...(byHost.get(r.host) ?? []), s]);
  }
  if (byHost.size === 0) return [];
  const known = new Map(listHosts().map((h) => [h.name, h]));
  const perHost = await Promise.all(
    [...byHost].map(async ([hostName, recs]): Promise<SessionView[]> => {
      const host = known.get(hostName);
      if (!host)
        return recs.map((s) => unreachableView(s, hostName, `unknown host ${hostName}: braid host add ${hostName} …`));
      let answer: { sessions: SessionView[] };
      try {
        answer = await callHost<{ sessions: SessionView[] }>(host, "status", { project: ctx.project.slug }, 30_000);
      } catch (e) {
        const why = e instanceof HostUnreachable ? `host ${hostName} not answering` : (e as Error).message;
        return recs.map((s) => unreachableView(s, hostName, why));
      }
      const there = new Map(answer.sessions.map((v) => [v.name, v]));
      return recs.map((s) => {
        const v = there.get(s.name);
        if (!v) return { ...unreachableView(s, hostName, `not on host ${hostName} any more`), state: "lost" };
        return { ...v, order: s.order, path: `${hostName}:${v.path}`, host: hostName, queuePosition: v.queuePosition };
      });
    }),
  );
  return perHost.flat();
}

export interface RemoteFetch {
  name: string;
  host: string;
  /** Local refs now holding the session's branch tip and its uncommitted-work snapshot (null: none). */
  branch: string | null;
  wip: string | null;
  /** What happened to the session's local branch: fast-forwarded, already there, or kept (went its own way). */
  localBranch?: "updated" | "same" | "diverged" | "kept";
}

/**
 * Bring each remote session's branch and a snapshot of its uncommitted work into this repository
 * (`refs/braid/remote/<host>/<name>`, `refs/braid/remote-wip/<host>/<name>`): two round trips per host
 * (the host's braid makes the snapshot refs, git fetches them). Unreachable hosts are skipped and named.
 */
export async function fetchRemoteSessions(
  ctx: ProjectContext,
  names?: string[],
): Promise<{
  fetched: RemoteFetch[];
  unreachable: string[];
}> {
  const recs = ctx.store.sessions().filter((s) => remoteOf(s) && (!names || names.includes(s.name)));
  const byHost = new Map<string, SessionRecord[]>();
  for (const s of recs) {
    const h = remoteOf(s)?.host as string;
    byHost.set(h, [...(byHost.get(h) ?? []), s]);
  }
  const fetched: RemoteFetch[] = [];
  const unreachable: string[] = [];
  for (const [hostName, list] of byHost) {
    let host: HostEntry;
    try {
      host = getHost(hostName);
    } catch {
      unreachable.push(hostName);
      continue;
    }
    const projectDir = remoteOf(list[0] as SessionRecord)?.projectDir as string;
    let snap: { sessions: Record<string, { branch: string; head: string | null; wip: string | null }> };
    try {
      snap = await callHost(host, "snapshot", { project: ctx.project.slug });
    } catch (e) {
      if (e instanceof HostUnreachable) {
        unreachable.push(hostName);
        continue;
      }
      throw e;
    }
    const specs: Array<readonly [string, string]> = [];
    for (const s of list) {
      const got = snap.sessions[s.name];
      if (!got) continue;
      const refs = remoteRefs(hostName, s.name);
      if (got.head) specs.push([`refs/heads/${got.branch}`, refs.branch]);
      if (got.wip) specs.push([`refs/braid/snapshot/${s.name}`, refs.wip]);
      fetched.push({
        name: s.name,
        host: hostName,
        branch: got.head ? refs.branch : null,
        wip: got.wip ? refs.wip : null,
      });
    }
    await fetchRefs(ctx.project.mainWorktree, host, projectDir, specs);
  }
  const cwd = ctx.project.mainWorktree;
  for (const f of fetched) {
    const rec = recs.find((r) => r.name === f.name) as SessionRecord;
    f.localBranch = f.branch ? await followBranch(cwd, rec.branch, f.branch) : "kept";
  }
  return { fetched, unreachable };
}

/**
 * The session's local branch follows its fetched tip (so radar, merge and every branch-based command see it
 * as for a local session), only by fast-forward and compare-and-swap: a local branch that went its own way
 * is kept as it is and reported.
 */
async function followBranch(cwd: string, branch: string, fetchedRef: string): Promise<RemoteFetch["localBranch"]> {
  const tip = await resolveCommit(cwd, fetchedRef);
  if (!tip) return "kept";
  const local = await resolveCommit(cwd, `refs/heads/${branch}`);
  if (local === tip) return "same";
  const repo = new Repo(cwd);
  if (local && !(await repo.isAncestor(local, tip))) return (await repo.isAncestor(tip, local)) ? "same" : "diverged";
  return (await repo.moveRef(`refs/heads/${branch}`, tip, local)) ? "updated" : "diverged";
}

/**
 * Notes and memory both ways with every host that runs a session of this project: one round trip per host
 * (this side's notes and learnings go, the host's come back; each side adds what it lacks). Hosts that do not
 * answer are named and caught up by a later sync.
 */
export async function syncCoord(ctx: ProjectContext): Promise<{
  hosts: Array<{
    host: string;
    sent: { notes: number; learnings: number };
    received: { notes: number; learnings: number };
  }>;
  unreachable: string[];
}> {
  const names = [...new Set(ctx.store.sessions().flatMap((s) => remoteOf(s)?.host ?? []))];
  const known = new Map(listHosts().map((h) => [h.name, h]));
  const out: Awaited<ReturnType<typeof syncCoord>> = { hosts: [], unreachable: [] };
  for (const name of names) {
    const host = known.get(name);
    if (!host) {
      out.unreachable.push(name);
      continue;
    }
    try {
      const answer = await callHost<{ imported: { notes: number; learnings: number }; bundle: CoordBundle }>(
        host,
        "coord",
        { project: ctx.project.slug, coord: coordBundle(ctx) },
      );
      const received = await importCoord(ctx, answer.bundle);
      out.hosts.push({ host: name, sent: answer.imported, received });
    } catch (e) {
      if (!(e instanceof HostUnreachable)) throw e;
      out.unreachable.push(name);
    }
  }
  return out;
}
