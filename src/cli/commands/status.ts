import type { Command } from "commander";
import { CONTEXT_WARN_PERCENT } from "../../agents/claude/context.js";
import type { ProjectContext } from "../../project/context.js";
import { loadContext } from "../../project/context.js";
import type { ViewOptions } from "../../session/status.js";
import type { SessionView } from "../../session/types.js";
import { act } from "../act.js";
import { isTerminal, paint, print, printJson, table, write } from "../output.js";

const STATE_STYLE: Record<string, Parameters<typeof paint>[0]> = {
  working: "green",
  waiting: "yellow",
  idle: "cyan",
  failed: "red",
  queued: "gray",
  stopped: "gray",
  done: "blue",
  lost: "magenta",
};

/** "12s", "5m", "3h", "2d" since an ISO time. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** "42%", or "⚠ 91% (braid refresh NAME)" in red from 85% on. */
function contextCell(v: SessionView): string {
  if (typeof v.contextPercent !== "number") return "";
  if (v.contextPercent < CONTEXT_WARN_PERCENT) return `${v.contextPercent}%`;
  return paint("red", `⚠ ${v.contextPercent}% (braid refresh ${v.name})`);
}

function render(views: SessionView[]): string {
  if (views.length === 0) return "no sessions — start one with `braid start <name> <task>`";
  const rows = views.map((v) => {
    const state = v.state === "queued" && v.queuePosition ? `queued #${v.queuePosition}` : v.state;
    return [
      String(v.order),
      v.name,
      v.sandboxed ? `${v.type} (sandboxed)` : v.type,
      v.agent ?? "-",
      paint(STATE_STYLE[v.state] ?? "white", state),
      ago(v.since),
      [
        v.detail,
        v.uncommittedFiles ? `${v.uncommittedFiles} uncommitted file${v.uncommittedFiles === 1 ? "" : "s"}` : "",
      ]
        .filter(Boolean)
        .join(" · "),
      v.branch,
      v.ahead === null ? "" : `+${v.ahead}/-${v.behind}`,
      v.changedFiles === null ? "" : String(v.changedFiles),
      v.linesAdded === null ? "" : `+${v.linesAdded}/-${v.linesRemoved}`,
      contextCell(v),
      v.conflictsWith.length ? paint("red", String(v.conflictsWith.length)) : "",
      portRange(v.ports ?? []),
      v.path,
    ];
  });
  const services = views.flatMap((v) => (v.services ?? []).map((s) => serviceLine(v.name, s)));
  return `${table(
    [
      "#",
      "NAME",
      "TYPE",
      "AGENT",
      "STATE",
      "SINCE",
      "DETAIL",
      "BRANCH",
      "AHEAD/BEHIND",
      "FILES",
      "LINES",
      "CONTEXT",
      "CONFLICTS",
      "PORTS",
      "PATH",
    ],
    rows,
  )}${services.length ? `\n\nservices:\n${services.join("\n")}` : ""}`;
}

/** "20000-20002", "20000", "". */
export function portRange(ports: number[]): string {
  if (ports.length === 0) return "";
  return ports.length === 1 ? String(ports[0]) : `${ports[0]}-${ports[ports.length - 1]}`;
}

const SERVICE_STYLE: Record<string, Parameters<typeof paint>[0]> = {
  ready: "green",
  running: "green",
  starting: "yellow",
  "not-ready": "yellow",
  failed: "red",
};

function serviceLine(session: string, s: NonNullable<SessionView["services"]>[number]): string {
  const bits = [`  ${session}/${s.name}`, paint(SERVICE_STYLE[s.state] ?? "gray", s.state)];
  if (s.url) bits.push(s.url);
  if (s.pid) bits.push(`pid ${s.pid}`);
  if (s.detail) bits.push(`— ${s.detail}`);
  return bits.join("  ");
}

/**
 * The views, loading the status code (detectors, radar, tmux, services: most of this command's start-up)
 * only when there is a session to look at.
 */
async function sessionViews(ctx: ProjectContext, opts?: ViewOptions): Promise<SessionView[]> {
  if (ctx.store.sessions().length === 0) return [];
  const { listSessionViews } = await import("../../session/status.js");
  return listSessionViews(ctx, opts);
}

export function registerStatus(program: Command): void {
  program
    .command("status [name]")
    .description(
      "every session in cascade order: state (queued/starting/working/waiting/idle/done/failed/stopped/lost), git figures",
    )
    .option("--json", "machine-readable output (see README: JSON shapes)")
    .option("--watch", "refresh every second until Ctrl-C (with --json: one JSON document per line)")
    .action(
      act(async (name: string | undefined, opts: { json?: boolean; watch?: boolean }) => {
        const ctx = await loadContext();
        if (name) ctx.store.require(name);
        const pick = (vs: SessionView[]) => (name ? vs.filter((v) => v.name === name) : vs);
        if (!opts.watch) {
          const views = pick(await sessionViews(ctx));
          if (opts.json) printJson({ sessions: views });
          else print(render(views));
          return 0;
        }
        const { SessionScreenDebouncer } = await import("../../session/status.js");
        const { ResourceSampler } = await import("../../session/resources.js");
        const debouncer = new SessionScreenDebouncer();
        const sampler = new ResourceSampler();
        let stop = false;
        process.on("SIGINT", () => {
          stop = true;
        });
        while (!stop) {
          const views = pick(await sessionViews(ctx, { debouncer, sampler }));
          if (opts.json) write(`${JSON.stringify({ at: new Date().toISOString(), sessions: views })}\n`);
          else {
            const clear = isTerminal(1) ? "\x1b[H\x1b[2J" : "";
            write(`${clear}${render(views)}\n\n(refreshing every second — Ctrl-C to quit)\n`);
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
        return 0;
      }),
    );
}
