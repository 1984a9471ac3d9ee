/** Talking to a running session: type into it, or attach a terminal to it. */
import { spawnSync } from "node:child_process";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { isActive } from "../project/state.js";
import { reconcile } from "./cascade.js";
import { runtimeOf, type SessionRuntime } from "./runtime.js";
import { listPanes, requireTmux, sendText, type TmuxServer } from "./tmux.js";

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
    throw new BraidError(
      `session "${name}" is not running (${rec.status})`,
      `start it with \`braid start ${name}\` or \`braid restart ${name}\``,
    );
  }
  requireTmux();
  const server = { socket: rt.tmux.socket };
  const pane = (await listPanes(server)).find((p) => p.paneId === rt.tmux?.paneId);
  if (!pane || pane.dead)
    throw new BraidError(`session "${name}" has ended (its agent exited)`, `restart it with \`braid restart ${name}\``);
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
  const base = p.server.socket ? ["-L", p.server.socket] : [];
  const tm = p.rt.tmux as NonNullable<SessionRuntime["tmux"]>;
  const target = `=${tm.session}:=${tm.window}`;
  // Inside tmux on the same server: switch this client over; otherwise attach a new client.
  const inside = Boolean(process.env.TMUX) && !p.server.socket;
  if (!inside && !process.stdin.isTTY)
    throw new BraidError(
      "attach needs a terminal (stdin is not a TTY)",
      "run `braid attach` from an interactive shell",
    );
  const args = inside ? [...base, "switch-client", "-t", target] : [...base, "attach-session", "-t", target];
  return { args, inside, target: `${tm.session}:${tm.window}` };
}

/** Run tmux attached to this terminal; returns tmux's exit code. */
export function runAttach(plan: AttachPlan): number {
  if (!plan.inside && !process.stdin.isTTY)
    throw new BraidError(
      "attach needs a terminal (stdin is not a TTY)",
      "run `braid attach` from an interactive shell",
    );
  const r = spawnSync("tmux", plan.args, { stdio: "inherit" });
  if (r.error) throw new BraidError(`tmux could not attach: ${r.error.message}`, "check `tmux -V` works");
  return r.status ?? 1;
}
