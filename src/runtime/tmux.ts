/**
 * The one place braid talks to tmux. Always argument arrays (never a shell), always exact targets
 * (`=session:window` or pane ids such as `%3`: a bare `-t name` can match another session's window),
 * and an explicit server. A launch picks the server (`-L socket` from env BRAID_TMUX_SOCKET or config
 * `tmux_socket`, else the one $TMUX points at, else the default) and records its socket PATH; every later
 * command addresses that path with `-S`, because tmux without -L/-S talks to whatever server $TMUX names
 * (a braid run from a pane of another server would see someone else's panes).
 * tmux itself honours TMUX_TMPDIR for where a named socket lives.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { BraidError } from "../infra/errors.js";

export interface TmuxServer {
  /** `-L` socket name; empty = the default server (or the one $TMUX points at). Used when `path` is unset. */
  socket: string;
  /** Socket path (`-S`): the server's identity once known. */
  path?: string | null;
}

/** Where tmux puts a named socket: `$TMUX_TMPDIR/tmux-<uid>/<name>` (name "" = "default"). */
export function namedSocketPath(name: string): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${uid}`, name || "default");
}

/** The socket path of the server $TMUX points at (`path,pid,index`), if braid runs inside tmux. */
export function currentTmuxSocket(): string | null {
  const t = process.env.TMUX;
  if (!t) return null;
  const path = t.split(",")[0];
  return path ? path : null;
}

/** The server a recorded location names; old records without a path (socket "") mean the default server. */
export function recordedServer(tm: { socket: string; socketPath?: string | null }): TmuxServer {
  return { socket: tm.socket, path: tm.socketPath || namedSocketPath(tm.socket) };
}

export interface TmuxResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** The tmux server braid uses: env BRAID_TMUX_SOCKET > config `tmux_socket` > default. */
export function tmuxServer(configSocket: string): TmuxServer {
  return { socket: process.env.BRAID_TMUX_SOCKET ?? configSocket ?? "" };
}

/**
 * tmux reads an argument that ENDS with ';' as a command separator, even in argv form; `\;` at the end
 * stands for a literal ';'. Every argument that carries outside text (task, env values, typed text)
 * goes through this.
 */
export function tmuxLiteral(arg: string): string {
  return arg.endsWith(";") ? `${arg.slice(0, -1)}\\;` : arg;
}

/** Global flags addressing `server`: `-S path` once known, else `-L name`, else none ($TMUX's or the default). */
export function serverArgs(server: TmuxServer): string[] {
  if (server.path) return ["-S", server.path];
  return server.socket ? ["-L", server.socket] : [];
}

function tmuxEnv(): NodeJS.ProcessEnv {
  // With -S/-L the socket is explicit; without, tmux uses $TMUX (the server braid runs in), as users expect.
  return { ...process.env };
}

/** Run tmux; resolves with its output whatever the exit code (callers decide what a failure means). */
export function tmuxRun(server: TmuxServer, args: string[]): Promise<TmuxResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("tmux", [...serverArgs(server), ...args], {
      env: tmuxEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(tmuxMissing());
      else reject(e);
    });
    child.on("close", (code) =>
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code: code ?? 128,
      }),
    );
  });
}

/** Run tmux and throw a one-line BraidError carrying tmux's own message when it fails. */
export async function tmux(server: TmuxServer, args: string[], what: string): Promise<string> {
  const r = await tmuxRun(server, args);
  if (r.code !== 0) {
    const msg = r.stderr.trim().split("\n")[0] || `exit code ${r.code}`;
    throw new BraidError(`tmux could not ${what}: ${msg}`, "check `tmux -V` works; or use --headless");
  }
  return r.stdout;
}

export function tmuxMissing(): BraidError {
  return Object.assign(
    new BraidError(
      "tmux is not installed (no `tmux` on PATH)",
      "install it (apt-get install tmux / brew install tmux) or run the session with --headless",
    ),
    { tmuxMissing: true },
  );
}

export function isTmuxMissing(e: unknown): boolean {
  return (e as { tmuxMissing?: unknown } | null)?.tmuxMissing === true;
}

/** Throws tmuxMissing() when tmux cannot be run. */
export function requireTmux(): void {
  const r = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw tmuxMissing();
}

/** tmux session name for a project: tmux forbids '.' and ':' in session names. */
export function projectTmuxSession(slug: string): string {
  return `braid-${slug.replace(/[.:]/g, "_")}`;
}

/** Exact target of a window by session and window name. */
export function windowTarget(session: string, window: string): string {
  return `=${session}:=${window}`;
}

export async function hasSession(server: TmuxServer, session: string): Promise<boolean> {
  const r = await tmuxRun(server, ["has-session", "-t", `=${session}`]);
  return r.code === 0;
}

export interface NewWindowOptions {
  session: string;
  window: string;
  cwd: string;
  /**
   * Extra environment for the window. Every `-e VAR=value` stays in the tmux server's argv for its whole life
   * (visible to `ps`): never pass secrets here — the agent's environment goes through the wrapper's env file.
   */
  env?: Record<string, string>;
  /** argv of the program; always ≥ 2 elements so tmux execs it directly instead of via `sh -c`. */
  argv: string[];
}

/**
 * Argument list opening o's window: `new-window` in the existing session, or `new-session` creating it
 * (at 200x50: detached, it would start at 80x24). Prints the new pane's id. Set remain-on-exit
 * in the same tmux invocation: the server runs the whole command list before it reaps any child, so even
 * an agent that exits at once leaves its pane (and exit status) behind.
 */
function openArgs(o: NewWindowOptions, newSession: boolean): string[] {
  const where = newSession
    ? ["new-session", "-d", "-s", o.session, "-x", "200", "-y", "50"]
    : ["new-window", "-d", "-t", `=${o.session}:`];
  return [
    ...where,
    ...["-P", "-F", "#{pane_id}\t#{socket_path}\t#{pid}", "-n", o.window, "-c", tmuxLiteral(o.cwd)],
    ...Object.entries(o.env ?? {}).flatMap(([k, v]) => ["-e", tmuxLiteral(`${k}=${v}`)]),
    "--",
    ...o.argv.map(tmuxLiteral),
    ...[";", "set-option", "-w", "-t", windowTarget(o.session, o.window), "remain-on-exit", "on"],
  ];
}

export interface OpenedPane {
  paneId: string;
  /** The server's socket path (`#{socket_path}`): address it with `-S` from now on. */
  socketPath: string;
  /** The server's pid: a new server at the same path (after kill-server) reuses pane ids. */
  serverPid: number | null;
}

/**
 * Open a window running argv (creating the project's tmux session if needed) with `remain-on-exit on`
 * so the exit status stays readable. Returns the new pane and the server it lives in.
 */
export async function openWindow(server: TmuxServer, o: NewWindowOptions): Promise<OpenedPane> {
  if (o.argv.length < 2) throw new Error("openWindow needs argv with at least two elements (no shell)");
  let out: string;
  if (await hasSession(server, o.session)) {
    await removeDeadWindow(server, o.session, o.window);
    out = await tmux(server, openArgs(o, false), `open a window for ${o.window}`);
  } else {
    const r = await tmuxRun(server, openArgs(o, true));
    if (r.code !== 0 && /duplicate session/.test(r.stderr)) {
      // Another braid created the session between our check and now: add a window instead.
      return openWindow(server, o);
    }
    if (r.code !== 0) {
      const msg = r.stderr.trim().split("\n")[0] || `exit code ${r.code}`;
      throw new BraidError(
        `tmux could not start a session for ${o.window}: ${msg}`,
        "check tmux works, or use --headless",
      );
    }
    out = r.stdout;
  }
  const [paneId, socketPath, pid] = (out.trim().split("\n")[0] ?? "").split("\t");
  return { paneId: paneId ?? "", socketPath: socketPath ?? "", serverPid: pid ? Number(pid) : null };
}

/** A dead pane left by an earlier run of the same session would make the window name ambiguous. */
async function removeDeadWindow(server: TmuxServer, session: string, window: string): Promise<void> {
  for (const p of await listPanes(server)) {
    if (p.session === session && p.window === window) {
      if (!p.dead) throw new BraidError(`a tmux window "${window}" is already running in ${session}`, "stop it first");
      await tmuxRun(server, ["kill-pane", "-t", p.paneId]);
    }
  }
}

export interface PaneInfo {
  paneId: string;
  session: string;
  window: string;
  dead: boolean;
  deadStatus: number | null;
  /** Signal that killed the pane's process, when it died that way. */
  deadSignal: number | null;
  pid: number;
  /** pid of the tmux server the pane lives in. */
  serverPid: number;
}

/** Every pane of the server in one call (~20 ms). Empty when no server runs. */
export async function listPanes(server: TmuxServer): Promise<PaneInfo[]> {
  return (await listServerPanes(server)).panes;
}

export interface ServerPanes {
  /** False when no server answers at that socket (killed, rebooted, never started). */
  running: boolean;
  serverPid: number | null;
  panes: PaneInfo[];
}

/** Every pane of the server, and whether the server runs at all (a running server always has a pane). */
export async function listServerPanes(server: TmuxServer): Promise<ServerPanes> {
  const r = await tmuxRun(server, [
    "list-panes",
    "-a",
    "-F",
    "#{pane_id}\t#{session_name}\t#{window_name}\t#{pane_dead}\t#{pane_dead_status}\t#{pane_pid}\t#{pane_dead_signal}\t#{pid}",
  ]);
  if (r.code !== 0) return { running: false, serverPid: null, panes: [] };
  const panes = r.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [paneId, session, window, dead, status, pid, signal, serverPid] = line.split("\t");
      return {
        paneId: paneId ?? "",
        session: session ?? "",
        window: window ?? "",
        dead: dead === "1",
        deadStatus: status ? Number(status) : null,
        deadSignal: signal ? Number(signal) : null,
        pid: Number(pid ?? 0),
        serverPid: Number(serverPid ?? 0),
      };
    });
  return { running: true, serverPid: panes[0]?.serverPid ?? null, panes };
}

/**
 * Visible text of many panes in ONE tmux invocation (`\;`-chained capture-pane; ~19 ms for ten vs
 * ~120 ms separately). Panes are delimited by a marker line printed with display-message.
 */
export async function capturePanes(server: TmuxServer, paneIds: string[]): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  if (paneIds.length === 0) return result;
  const marker = `@@braid-pane-${process.pid}-${Date.now()}@@`;
  const args: string[] = [];
  for (const id of paneIds) {
    if (args.length) args.push(";");
    // The pane id comes from tmux's own #{pane_id}: display-message runs its text through strftime, which
    // would mangle a literal "%3".
    args.push("display-message", "-p", "-t", id, `${marker}#{pane_id}`, ";", "capture-pane", "-p", "-J", "-t", id);
  }
  const r = await tmuxRun(server, args);
  let current: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (current) result.set(current, lines.join("\n"));
  };
  for (const line of r.stdout.split("\n")) {
    if (line.startsWith(marker)) {
      flush();
      current = line.slice(marker.length);
      lines = [];
    } else lines.push(line);
  }
  flush();
  return result;
}

/** A pane's text with up to `lines` lines of history (one string, trailing blank lines dropped). */
export async function capturePaneHistory(server: TmuxServer, paneId: string, lines: number): Promise<string | null> {
  const r = await tmuxRun(server, ["capture-pane", "-p", "-J", "-S", `-${Math.max(0, lines)}`, "-t", paneId]);
  return r.code === 0 ? r.stdout.replace(/\s+$/, "") : null;
}

/** Type text into a pane literally (no key-name lookup), then press Enter. */
export async function sendText(server: TmuxServer, paneId: string, text: string): Promise<void> {
  if (text.length > 0)
    await tmux(server, ["send-keys", "-t", paneId, "-l", "--", tmuxLiteral(text)], "type into the session");
  // A short pause so TUIs that detect pastes by timing treat Enter as "submit", not as a newline in the paste.
  await new Promise((r) => setTimeout(r, 150));
  await tmux(server, ["send-keys", "-t", paneId, "Enter"], "press Enter in the session");
}

export async function killPane(server: TmuxServer, paneId: string): Promise<void> {
  await tmuxRun(server, ["kill-pane", "-t", paneId]);
}

/** The pane a window target resolves to, or null (list-panes fails on a missing target; display-message would fall back). */
export async function paneOfWindow(server: TmuxServer, session: string, window: string): Promise<string | null> {
  const r = await tmuxRun(server, ["list-panes", "-t", windowTarget(session, window), "-F", "#{pane_id}"]);
  return r.code === 0 ? r.stdout.trim().split("\n")[0] || null : null;
}
