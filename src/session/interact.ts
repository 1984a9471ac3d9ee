/** Talking to a running session: type into it, or attach a terminal to it. */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { isActive } from "../project/state.js";
import { reconcile } from "./cascade.js";
import { runtimeOf, type SessionRuntime } from "./runtime.js";
import {
  currentTmuxSocket,
  listServerPanes,
  recordedServer,
  requireTmux,
  sendText,
  serverArgs,
  type TmuxServer,
} from "./tmux.js";

interface LivePane {
  rec: SessionRecord;
  rt: SessionRuntime;
  server: TmuxServer;
  paneId: string;
}

/** The live tmux pane of a session, or a one-line error saying why there is none. */
async function livePane(ctx: ProjectContext, name: string, verb: string): Promise<LivePane> {
  await reconcile(ctx);
  const rec = ctx.store.require(name);
  const rt = runtimeOf(rec);
  if (rt?.runner === "headless" && isActive(rec.status))
    throw new BraidError(
      `session "${name}" runs headless: there is no terminal to ${verb}`,
      rt.logPath ? `read its output in ${rt.logPath}` : "see `braid status`",
    );
  if (!isActive(rec.status) || !rt?.tmux) {
    const why = rt?.detail ? `: ${rt.detail}` : "";
    if (rec.status === "failed")
      throw new BraidError(
        `session "${name}" failed${why}`,
        `see its last output with \`braid logs ${name}\`, then \`braid restart ${name}\``,
      );
    if (rec.status === "lost")
      throw new BraidError(
        `session "${name}" is lost: its tmux server is gone`,
        `bring it back in its conversation with \`braid restart ${name}\` (or \`braid restart --all\`)`,
      );
    throw new BraidError(
      `session "${name}" is not running (${rec.status})`,
      `start it with \`braid start ${name}\` or \`braid restart ${name}\``,
    );
  }
  requireTmux();
  const server = recordedServer(rt.tmux);
  const look = await listServerPanes(server);
  const pane = look.panes.find((p) => p.paneId === rt.tmux?.paneId);
  const sameServer = !rt.tmux.serverPid || look.serverPid === rt.tmux.serverPid;
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
  return { rec, rt, server, paneId: rt.tmux.paneId };
}

/** Type `text` literally into the session's agent, then Enter. */
export async function sendToSession(ctx: ProjectContext, name: string, text: string): Promise<void> {
  const p = await livePane(ctx, name, "send to");
  await sendText(p.server, p.paneId, text);
}

export interface AttachPlan {
  /** argv for tmux (without the binary). */
  args: string[];
  /** Whether braid runs inside tmux (switch-client instead of attach). */
  inside: boolean;
  target: string;
}

export async function attachPlan(ctx: ProjectContext, name: string): Promise<AttachPlan> {
  const p = await livePane(ctx, name, "attach to");
  const base = serverArgs(p.server);
  const tm = p.rt.tmux as NonNullable<SessionRuntime["tmux"]>;
  const target = `=${tm.session}:=${tm.window}`;
  // Inside tmux on the session's own server: switch this client over. From a pane of another server (or
  // outside tmux) attach a new client to the session's server: `tmux -S path attach`.
  const inside = sameServerAsCurrent(p.server);
  if (!inside && !process.stdin.isTTY)
    throw new BraidError(
      "attach needs a terminal (stdin is not a TTY)",
      "run `braid attach` from an interactive shell",
    );
  const args = inside ? [...base, "switch-client", "-t", target] : [...base, "attach-session", "-t", target];
  return { args, inside, target: `${tm.session}:${tm.window}` };
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

/** Run tmux attached to this terminal; returns tmux's exit code. */
export function runAttach(plan: AttachPlan): number {
  if (!plan.inside && !process.stdin.isTTY)
    throw new BraidError(
      "attach needs a terminal (stdin is not a TTY)",
      "run `braid attach` from an interactive shell",
    );
  // A nested client refuses to start while $TMUX is set ("sessions should be nested with care"): the plan
  // addresses its server explicitly, so $TMUX only matters for switch-client.
  const env = { ...process.env };
  if (!plan.inside) delete env.TMUX;
  const r = spawnSync("tmux", plan.args, { stdio: "inherit", env });
  if (r.error) throw new BraidError(`tmux could not attach: ${r.error.message}`, "check `tmux -V` works");
  return r.status ?? 1;
}
