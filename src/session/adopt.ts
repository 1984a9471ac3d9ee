/**
 * Agents that still run although their record says they ended (stopped, failed, lost, done): e.g. a
 * status read from a pane of another tmux server by an older braid, which marked live sessions
 * "tmux window closed". `braid doctor` finds them; `doctor --fix` re-adopts them (records where the
 * agent really runs and makes the session active again), so nothing has to be killed by hand.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { pidAlive } from "../infra/process.js";
import type { ProjectContext } from "../project/context.js";
import { isActive, type SessionRecord } from "../project/state.js";
import { lookServers } from "./cascade.js";
import { readAgentPid, readExit, runtimeOf, type SessionRuntime, type TmuxLocation } from "./runtime.js";
import { currentTmuxSocket, namedSocketPath, recordedServer, type TmuxServer } from "./tmux.js";

export interface Orphan {
  name: string;
  /** The state the record claims. */
  recorded: string;
  agentPid: number;
  runner: "tmux" | "headless";
  /** Where the agent's pane really is (runner tmux); null when it could not be found (headless, or no pane). */
  tmux: TmuxLocation | null;
}

function parentPid(pid: number): number | null {
  try {
    // /proc/PID/stat: "pid (comm) state ppid ..." — comm may hold spaces and parens: split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

/** The process runs in the session's worktree (guards against a reused pid). */
function runsIn(pid: number, dir: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    return false;
  }
}

/**
 * Servers the agent may be in: the recorded one, $TMUX's, the configured `-L` name's, and every other
 * socket in this user's tmux socket directory.
 */
function candidateServers(ctx: ProjectContext, rt: SessionRuntime): TmuxServer[] {
  const paths = new Set<string>();
  if (rt.tmux) paths.add(recordedServer(rt.tmux).path as string);
  const current = currentTmuxSocket();
  if (current) paths.add(current);
  const configured = process.env.BRAID_TMUX_SOCKET ?? ctx.config.tmux_socket;
  paths.add(namedSocketPath(configured));
  const dir = dirname(namedSocketPath(""));
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isSocket()) paths.add(join(dir, e.name));
  } catch {
    /* no tmux server ever ran here */
  }
  return [...paths].map((path) => ({ socket: "", path }));
}

/** Sessions whose record says ended but whose agent process of the last run is alive. */
export async function findOrphans(ctx: ProjectContext, sessions: SessionRecord[]): Promise<Orphan[]> {
  const stateDir = ctx.project.stateDir;
  const out: Orphan[] = [];
  for (const s of sessions) {
    const rt = runtimeOf(s);
    if (!rt || isActive(s.status) || s.status === "queued" || s.status === "created") continue;
    if (readExit(stateDir, s.name, rt.runId)) continue;
    const agentPid = readAgentPid(stateDir, s.name, rt.runId);
    if (!agentPid || !pidAlive(agentPid) || !runsIn(agentPid, s.path)) continue;
    let tmux: TmuxLocation | null = null;
    if (rt.runner === "tmux" && rt.tmux) {
      const wrapper = parentPid(agentPid);
      const table = await lookServers(candidateServers(ctx, rt));
      for (const [path, look] of table) {
        const pane = [...look.panes.values()].find((p) => !p.dead && p.pid === wrapper);
        if (pane)
          tmux = {
            ...rt.tmux,
            socketPath: path,
            serverPid: look.serverPid,
            session: pane.session,
            window: pane.window,
            paneId: pane.paneId,
          };
      }
    }
    out.push({ name: s.name, recorded: s.status, agentPid, runner: rt.runner, tmux });
  }
  return out;
}

/** Make an orphan's session active again, pointing at where its agent really runs. */
export async function adoptOrphan(ctx: ProjectContext, o: Orphan): Promise<void> {
  await ctx.store.update((d) => {
    const r = d.sessions.find((x) => x.name === o.name);
    const rt = r ? runtimeOf(r) : null;
    if (!r || !rt) throw new Error(`session "${o.name}" vanished`);
    if (rt.runner === "tmux" && !o.tmux) throw new Error("its tmux pane could not be found");
    r.status = "starting";
    r.statusSince = new Date().toISOString();
    r.ext = { ...r.ext, session: { ...rt, ...(o.tmux ? { tmux: o.tmux } : {}), exitCode: null, detail: "re-adopted" } };
  });
}
