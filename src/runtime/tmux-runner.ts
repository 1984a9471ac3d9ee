/**
 * The tmux runner: the exec wrapper in a window of the project's tmux session (tmux.ts runs tmux). The
 * server is recorded by socket path and pid, so a pane id is only ever looked up in its own server.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { BraidError } from "../infra/errors.js";
import { parentPid, pidAlive, signalProcess } from "../infra/process.js";
import {
  agentPidOf,
  endFromExit,
  exitDetail,
  stopLocal,
  WINDOW_CLOSED,
  waitForAgent,
  waitGoneLocal,
  withEnvFileCleanup,
  wrapperArgv,
  writeEnvFile,
} from "./local.js";
import { readExit, type TmuxLocation } from "./run.js";
import type { EndedRun, RunLook, Runner, RunRef } from "./runner.js";
import {
  capturePaneHistory,
  capturePanes,
  currentTmuxSocket,
  isTmuxMissing,
  killPane,
  listServerPanes,
  namedSocketPath,
  openWindow,
  type PaneInfo,
  projectTmuxSession,
  recordedServer,
  requireTmux,
  sendText,
  serverArgs,
  type TmuxServer,
  tmuxServer,
} from "./tmux.js";

/** One tmux server as braid saw it on this look. */
interface ServerLook {
  running: boolean;
  serverPid: number | null;
  panes: Map<string, PaneInfo>;
}

/** Servers keyed by socket path: a pane id means something only together with its server. */
type PaneTable = Map<string, ServerLook>;

type PaneLookup =
  | { server: "up"; pane: PaneInfo | null }
  /** No server at the recorded socket, or a new one (other pid) that reuses pane ids. */
  | { server: "gone" };

/** Find a session's pane in its own server (never one with the same id in another server). */
function lookupPane(table: PaneTable, tm: TmuxLocation): PaneLookup | null {
  const server = recordedServer(tm);
  const look = table.get(server.path as string);
  if (!look) return null;
  if (!look.running || (tm.serverPid && look.serverPid && look.serverPid !== tm.serverPid)) return { server: "gone" };
  return { server: "up", pane: look.panes.get(tm.paneId) ?? null };
}

/** Look at every given tmux server (one list-panes per server). */
async function lookServers(servers: TmuxServer[]): Promise<PaneTable> {
  const table: PaneTable = new Map();
  for (const server of servers) {
    const key = server.path as string;
    if (table.has(key)) continue;
    // Without tmux on PATH no server can be running: its sessions show lost (status must still work,
    // e.g. for headless sessions beside them), and `restart` says tmux is missing.
    const r = await listServerPanes(server).catch((e: unknown) => {
      if (isTmuxMissing(e)) return { running: false, serverPid: null, panes: [] };
      throw e;
    });
    table.set(key, { running: r.running, serverPid: r.serverPid, panes: new Map(r.panes.map((p) => [p.paneId, p])) });
  }
  return table;
}

const LOST: EndedRun = { status: "lost", exitCode: null, detail: "tmux server gone" };

function lookOne(run: RunRef, where: PaneLookup | null): RunLook {
  const exit = readExit(run.ctx.project.stateDir, run.name, run.rt.runId);
  // The terminal went away: a closed window is a stop; a server that vanished is lost (restart --all).
  if (exit) return { kind: "ended", end: endFromExit(run, exit, where?.server === "gone" ? LOST : null) };
  const agentPid = agentPidOf(run);
  const running = (): RunLook => {
    const agentAlive = pidAlive(agentPid);
    return { kind: "running", agentAlive, agentPid: agentAlive ? agentPid : null };
  };
  if (!where) return running();
  if (where.server === "gone") return { kind: "ended", end: LOST };
  const pane = where.pane;
  if (!pane) return { kind: "ended", end: WINDOW_CLOSED };
  if (!pane.dead) return running();
  if (pane.deadSignal)
    return { kind: "ended", end: { status: "failed", exitCode: null, detail: `killed by signal ${pane.deadSignal}` } };
  // tmux may flag the pane dead a moment before it has reaped the exit status: decide on the next look.
  if (pane.deadStatus === null) return { kind: "pending" };
  const code = pane.deadStatus;
  return {
    kind: "ended",
    end:
      code === 0
        ? { status: "done", exitCode: 0, detail: "exit 0" }
        : { status: "failed", exitCode: code, detail: exitDetail(run, `exit ${code ?? "?"}`) },
  };
}

/**
 * Screens of running panes only (one missing pane would abort tmux's whole `;`-chained batch), one batch
 * per server, keyed by session name: pane ids of different servers may be equal.
 */
async function addScreens(runs: RunRef[], looks: Map<string, RunLook>): Promise<void> {
  const byServer = new Map<string, { server: TmuxServer; want: [string, string][] }>();
  for (const r of runs) {
    if (!r.rt.tmux || looks.get(r.name)?.kind !== "running") continue;
    const server = recordedServer(r.rt.tmux);
    const entry = byServer.get(server.path as string) ?? { server, want: [] };
    entry.want.push([r.name, r.rt.tmux.paneId]);
    byServer.set(server.path as string, entry);
  }
  for (const { server, want } of byServer.values()) {
    const got = await capturePanes(
      server,
      want.map(([, id]) => id),
    );
    for (const [name, id] of want) {
      const text = got.get(id);
      const look = looks.get(name);
      if (text !== undefined && look?.kind === "running") look.screen = text;
    }
  }
}

/** The live pane of a run, or a one-line error saying why there is none. */
async function livePane(run: RunRef): Promise<{ server: TmuxServer; tm: TmuxLocation }> {
  const tm = run.rt.tmux;
  const name = run.name;
  if (!tm)
    throw new BraidError(
      `session "${name}" is not running (no tmux window is recorded)`,
      `start it with \`braid restart ${name}\``,
    );
  requireTmux();
  const server = recordedServer(tm);
  const look = await listServerPanes(server);
  const pane = look.panes.find((p) => p.paneId === tm.paneId);
  const sameServer = !tm.serverPid || look.serverPid === tm.serverPid;
  if (!look.running || !sameServer)
    throw new BraidError(
      `session "${name}" is lost: its tmux server is gone`,
      `bring it back with \`braid restart ${name}\``,
    );
  if (!pane || pane.dead)
    throw new BraidError(
      `session "${name}" has ended (its agent exited)`,
      `see why with \`braid logs ${name}\`; restart it with \`braid restart ${name}\``,
    );
  return { server, tm };
}

/** Whether $TMUX names the same server (same socket file, so a symlinked TMUX_TMPDIR still matches). */
function sameServerAsCurrent(server: TmuxServer): boolean {
  const current = currentTmuxSocket();
  if (!current || !server.path) return false;
  if (current === server.path) return true;
  try {
    const a = statSync(current);
    const b = statSync(server.path);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/**
 * Servers a run may be in: the recorded one, $TMUX's, the configured `-L` name's, and every other socket in
 * this user's tmux socket directory.
 */
function candidateServers(run: RunRef): TmuxServer[] {
  const paths = new Set<string>();
  if (run.rt.tmux) paths.add(recordedServer(run.rt.tmux).path as string);
  const current = currentTmuxSocket();
  if (current) paths.add(current);
  paths.add(namedSocketPath(tmuxServer(run.ctx.config.tmux_socket).socket));
  const dir = dirname(namedSocketPath(""));
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isSocket()) paths.add(join(dir, e.name));
  } catch {
    /* no tmux server ever ran here */
  }
  return [...paths].map((path) => ({ socket: "", path }));
}

export const tmuxRunner: Runner = {
  kind: "tmux",
  attachable: true,

  preflight() {
    requireTmux();
  },

  launch(spec) {
    return withEnvFileCleanup(spec, async () => {
      const argv = wrapperArgv(spec);
      writeEnvFile(spec.dir, spec.env, true);
      requireTmux();
      const server = tmuxServer(spec.ctx.config.tmux_socket);
      const session = projectTmuxSession(spec.ctx.project.slug);
      const window = spec.rec.name;
      const opened = await openWindow(server, { session, window, cwd: spec.rec.path, argv });
      const paneId = opened.paneId;
      const tmux: TmuxLocation = {
        socket: server.socket,
        socketPath: opened.socketPath,
        serverPid: opened.serverPid,
        session,
        window,
        paneId,
      };
      // From here on the server is addressed by its path, wherever $TMUX points.
      const located = { socket: server.socket, path: opened.socketPath || null };
      try {
        await waitForAgent(
          spec,
          () => true,
          async () => (await capturePanes(located, [paneId])).get(paneId) ?? "",
        );
      } catch (e) {
        await killPane(located, paneId);
        throw e;
      }
      return { tmux, wrapperPid: null };
    });
  },

  async look(runs, o = {}) {
    const table = await lookServers(runs.flatMap((r) => (r.rt.tmux ? [recordedServer(r.rt.tmux)] : [])));
    const looks = new Map<string, RunLook>();
    for (const r of runs) looks.set(r.name, lookOne(r, r.rt.tmux ? lookupPane(table, r.rt.tmux) : null));
    if (o.screens) await addScreens(runs, looks);
    return looks;
  },

  async stop(run) {
    const agentPid = agentPidOf(run);
    await stopLocal(run, (sig) => {
      if (agentPid) signalProcess(agentPid, sig);
    });
    if (run.rt.tmux) await killPane(recordedServer(run.rt.tmux), run.rt.tmux.paneId);
  },

  waitGone: waitGoneLocal,

  async capture(run, lines) {
    if (!run.rt.tmux) return null;
    return capturePaneHistory(recordedServer(run.rt.tmux), run.rt.tmux.paneId, lines);
  },

  async sendText(run, text) {
    const { server, tm } = await livePane(run);
    await sendText(server, tm.paneId, text);
  },

  async attach(run) {
    const { server, tm } = await livePane(run);
    const target = `=${tm.session}:=${tm.window}`;
    // Inside tmux on the session's own server: switch this client over. From a pane of another server (or
    // outside tmux) attach a new client to the session's server: `tmux -S path attach`.
    const inside = sameServerAsCurrent(server);
    if (!inside && !process.stdin.isTTY)
      throw new BraidError(
        "attach needs a terminal (stdin is not a TTY)",
        "run `braid attach` from an interactive shell",
      );
    const verb = inside ? "switch-client" : "attach-session";
    return {
      argv: ["tmux", ...serverArgs(server), verb, "-t", target],
      // A nested client refuses to start while $TMUX is set ("sessions should be nested with care"): the
      // plan addresses its server explicitly, so $TMUX only matters for switch-client.
      unsetEnv: inside ? [] : ["TMUX"],
      inside,
      target: `${tm.session}:${tm.window}`,
    };
  },

  async relocate(run, agentPid) {
    const wrapper = parentPid(agentPid);
    const table = await lookServers(candidateServers(run));
    let found: TmuxLocation | null = null;
    for (const [path, look] of table) {
      const pane = [...look.panes.values()].find((p) => !p.dead && p.pid === wrapper);
      if (pane && run.rt.tmux)
        found = {
          ...run.rt.tmux,
          socketPath: path,
          serverPid: look.serverPid,
          session: pane.session,
          window: pane.window,
          paneId: pane.paneId,
        };
    }
    return found
      ? { found: true, patch: { tmux: found }, where: `tmux pane ${found.paneId} of ${found.socketPath}` }
      : { found: false, why: "its tmux pane was not found" };
  },
};
