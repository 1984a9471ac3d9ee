/**
 * `braid _host <op>`: what a host's braid does for the braid that drives it over ssh (src/hosts/remote.ts).
 * The request is JSON on stdin (it carries the agent's environment, so it never is argv), the answer JSON on
 * stdout, a failure the usual one line on stderr. Each op runs the same code as the local command, in the
 * project's repository on this host (`<dir>/projects/<project>`).
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, homedir, loadavg } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parseAutonomy } from "../../agents/autonomy.js";
import { type CoordBundle, coordBundle, importCoord } from "../../coord/exchange.js";
import { Repo } from "../../git/repo.js";
import { snapshotWorktree } from "../../git/snapshot.js";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { isActive, type SessionType } from "../../project/state.js";
import { restartSession, startSession, stopSession } from "../../session/control.js";
import { sendToSession } from "../../session/interact.js";
import { readSessionLog } from "../../session/logs.js";
import { removeSession } from "../../session/remove.js";
import { listSessionViews } from "../../session/status.js";
import { act } from "../act.js";
import { printJson } from "../output.js";
import { readStdin } from "../stdin.js";

interface HostRequest {
  dir: string;
  project: string;
  name?: string;
  task?: string;
  base?: string;
  agent?: string;
  type?: SessionType;
  headless?: boolean;
  autonomy?: string;
  sandbox?: boolean;
  env?: Record<string, string>;
  text?: string;
  lines?: number;
  coord?: Partial<CoordBundle>;
  /** status: git figures and the radar (default true; looks of the remote runner skip them). */
  git?: boolean;
}

function projectDir(req: HostRequest): string {
  if (typeof req.project !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(req.project))
    throw new BraidError(`bad project name "${req.project}"`, "use the braid that drives this host");
  return resolve(process.env.HOME || homedir(), req.dir || ".braid", "projects", req.project);
}

/** Every project repository braid keeps on this host (`<dir>/projects/*` with a .git dir: worktrees beside them have a .git file). */
function projectNames(req: HostRequest): string[] {
  const root = resolve(process.env.HOME || homedir(), req.dir || ".braid", "projects");
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && statSync(resolve(root, e.name, ".git"), { throwIfNoEntry: false })?.isDirectory())
    .map((e) => e.name)
    .sort();
}

function needName(req: HostRequest): string {
  if (!req.name) throw new BraidError("no session name in the request", "use the braid that drives this host");
  return req.name;
}

async function context(req: HostRequest) {
  const dir = projectDir(req);
  if (!existsSync(dir)) return null;
  return loadContext(dir);
}

async function requireContext(req: HostRequest) {
  const ctx = await context(req);
  if (!ctx) throw new BraidError(`no project ${req.project} on this host`, "start a session on it first");
  return ctx;
}

const OPS: Record<string, (req: HostRequest) => Promise<unknown>> = {
  async start(req) {
    const ctx = await requireContext(req);
    // the driving braid has no record of it (else it would not ask): a start cut off after this host made
    // it (adopted as it is, never launched twice), or a name taken here by another (the driver refuses)
    const had = ctx.store.get(needName(req));
    if (had)
      return {
        name: had.name,
        branch: had.branch,
        path: had.path,
        status: had.status,
        agent: had.agent ?? null,
        queued: had.status === "queued",
        existed: { baseCommit: had.baseCommit },
      };
    if (req.coord) await importCoord(ctx, req.coord);
    // the agent's environment arrived on stdin; the launch hands it on in its 0600 env file
    for (const [k, v] of Object.entries(req.env ?? {})) process.env[k] = v;
    const r = await startSession(ctx, {
      name: needName(req),
      ...(req.task !== undefined ? { task: req.task } : {}),
      ...(req.type ? { type: req.type } : {}),
      ...(req.agent ? { agent: req.agent } : {}),
      ...(req.headless ? { headless: true } : {}),
      ...(req.base ? { base: req.base } : {}),
      ...(req.autonomy ? { autonomy: parseAutonomy(req.autonomy) } : {}),
      ...(typeof req.sandbox === "boolean" ? { sandbox: req.sandbox } : {}),
    });
    const s = r.record;
    return { name: s.name, branch: s.branch, path: s.path, status: s.status, agent: s.agent ?? null, queued: r.queued };
  },
  async status(req) {
    const ctx = await context(req);
    if (!ctx) return { sessions: [] };
    const full = req.git !== false;
    return { sessions: await listSessionViews(ctx, { git: full, cost: full }) };
  },
  /**
   * What this host keeps for every project: its sessions (with their state now) and each session's worktree
   * and branch, for `host rm` (refuses while some run) and doctor (stale mirrors, orphaned worktrees).
   */
  async inventory(req) {
    const projects = [];
    for (const project of projectNames(req)) {
      const ctx = await context({ ...req, project });
      if (!ctx) continue;
      const views = await listSessionViews(ctx, { git: false, cost: false });
      projects.push({
        project,
        sessions: views.map((v) => ({
          name: v.name,
          state: v.state,
          running: isActive(v.state) || v.state === "queued",
          branch: v.branch,
          path: v.path,
        })),
      });
    }
    // for --host auto: the machine's load beside its sessions
    return { projects, load: loadavg()[0] ?? 0, cpus: availableParallelism() };
  },
  /** Each session's branch tip and a commit of its uncommitted work, as refs the driving braid fetches. */
  async snapshot(req) {
    const ctx = await context(req);
    if (!ctx) return { sessions: {} };
    const out: Record<string, { branch: string; head: string | null; wip: string | null }> = {};
    for (const s of ctx.store.sessions()) {
      if (req.name && s.name !== req.name) continue;
      const repo = new Repo(ctx.project.mainWorktree);
      const head = await repo.refTip(`refs/heads/${s.branch}`);
      let wip: string | null = null;
      if (existsSync(s.path)) {
        wip = await snapshotWorktree(s.path, `braid: uncommitted work of ${s.name}`).catch(() => null);
        if (wip) await repo.setRef(`refs/braid/snapshot/${s.name}`, wip);
      }
      out[s.name] = { branch: s.branch, head, wip };
    }
    return { sessions: out };
  },
  async restart(req) {
    const ctx = await requireContext(req);
    for (const [k, v] of Object.entries(req.env ?? {})) process.env[k] = v;
    const r = await restartSession(ctx, needName(req), req.text !== undefined ? { freshPrompt: req.text } : {});
    const s = r.record;
    return { name: s.name, branch: s.branch, path: s.path, status: s.status, agent: s.agent ?? null, queued: r.queued };
  },
  /** Notes and memory: add what this host lacks, answer with everything it has. */
  async coord(req) {
    const ctx = await requireContext(req);
    const imported = await importCoord(ctx, req.coord ?? {});
    return { imported, bundle: coordBundle(ctx) };
  },
  async stop(req) {
    return stopSession(await requireContext(req), needName(req));
  },
  async send(req) {
    await sendToSession(await requireContext(req), needName(req), req.text ?? "");
    return { sent: true };
  },
  async logs(req) {
    return readSessionLog(await requireContext(req), needName(req), req.lines ?? 100);
  },
  /** doctor --fix of a stale mirror (the driving braid fetched its branches first): only while it has no sessions. */
  async drop(req) {
    const ctx = await context(req);
    if (!ctx) return { dropped: false };
    const left = ctx.store.sessions().map((s) => s.name);
    if (left.length)
      throw new BraidError(`project ${req.project} has sessions on this host: ${left.join(", ")}`, "remove them first");
    rmSync(projectDir(req), { recursive: true, force: true });
    return { dropped: true };
  },
  /** The driving braid checked (and saved) the work first: the host removes worktree and branch. */
  async rm(req) {
    const ctx = await context(req);
    const name = needName(req);
    if (!ctx?.store.get(name)) return { removed: false, missing: true };
    const r = await removeSession(ctx, name, { force: true });
    await new Repo(ctx.project.mainWorktree).deleteRef(`refs/braid/snapshot/${name}`);
    return { removed: r.removed, branchDeleted: r.branchDeleted };
  },
};

export function registerHostSide(program: Command): void {
  program
    .command("_host <op>", { hidden: true })
    .description("internal: act for the braid driving this host over ssh (JSON request on stdin)")
    .action(
      act(async (op: string) => {
        const fn = OPS[op];
        if (!fn)
          throw new BraidError(`unknown host op "${op}"`, "the driving braid is newer: braid host add --install");
        let req: HostRequest;
        try {
          req = JSON.parse(await readStdin()) as HostRequest;
        } catch {
          throw new BraidError("the host request is not JSON", "use the braid that drives this host");
        }
        printJson(await fn(req));
        return 0;
      }),
    );
}
