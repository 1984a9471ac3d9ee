import type { Command } from "commander";
import { parseAutonomy } from "../../agents/autonomy.js";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { takePrefetchedTips } from "../../project/prefetch.js";
import { SESSION_TYPES, type SessionType } from "../../project/state.js";
import { runtimeOf } from "../../runtime/run.js";
import { canAttach } from "../../runtime/runners.js";
import { startSession } from "../../session/control.js";
import type { RemoteStartOptions } from "../../session/remote.js";
import { finishPending, resumePending } from "../../worktree/resume.js";
import { act } from "../act.js";
import { print, printJson, printWarning } from "../output.js";
import { bootstrapLines } from "./new.js";

interface StartFlags {
  type?: string;
  agent?: string;
  headless?: boolean;
  base?: string;
  mode?: string;
  owns?: string[];
  autonomy?: string;
  executors?: number;
  architects?: number;
  sandbox?: boolean;
  rounds?: number;
  host?: string;
  json?: boolean;
}

function count(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 32)
      throw new BraidError(`${flag} must be a whole number from 1 to 32 (got "${v}")`, `pass e.g. ${flag} 3`);
    return n;
  };
}

export function registerStart(program: Command): void {
  program
    .command("start <name> [task...]")
    .description("create the session's worktree if needed and launch an agent in it with the task as its first prompt")
    .option("--type <type>", "implementation | research (read-only) | review (no commits)", "implementation")
    .option("--agent <agent>", "claude | codex | aider | gemini | a name under [agents] (default: config `agent`)")
    .option("--headless", "run without a terminal (claude -p), output to a log")
    .option("--base <ref>", "start a new worktree from this ref")
    .option("--mode <mode>", "standard | swarm", "standard")
    .option("--owns <glob...>", "paths this session declares it owns")
    .option(
      "--autonomy <level>",
      "ask | edits (edit files without asking) | full (sandbox only) (default: config `autonomy`)",
    )
    .option("--executors <n>", "swarm: executor agents at once (default: config swarm_executors)", count("--executors"))
    .option("--architects <n>", "swarm: reviewer agents (default: config swarm_architects)", count("--architects"))
    .option("--sandbox", "run the agent in the bubblewrap sandbox (default: config `sandbox`)")
    .option("--no-sandbox", "run the agent without the sandbox")
    .option("--rounds <n>", "swarm: review rounds before giving up (default: config swarm_rounds)", count("--rounds"))
    .option(
      "--host <name>",
      "run the session on this host (braid host add; auto: the one with the most free slots), through the host's own braid",
    )
    .option("--json", "print the session as JSON")
    .action(
      act(async (name: string, taskWords: string[], opts: StartFlags) => {
        if (!SESSION_TYPES.includes(opts.type as SessionType))
          throw new BraidError(`unknown session type "${opts.type}"`, `use one of: ${SESSION_TYPES.join(", ")}`);
        if (opts.mode !== "standard" && opts.mode !== "swarm")
          throw new BraidError(`unknown mode "${opts.mode}"`, "use standard or swarm");
        const autonomy = opts.autonomy === undefined ? undefined : parseAutonomy(opts.autonomy);
        const sizes = (["executors", "architects", "rounds"] as const).filter((k) => opts[k] !== undefined);
        if (sizes.length && opts.mode !== "swarm")
          throw new BraidError(
            `--${sizes[0]} only applies to a swarm`,
            `add --mode swarm, or drop --${sizes.join(", --")}`,
          );
        const ctx = await loadContext();
        if (opts.host) return startOnHost(ctx, opts.host, name, taskWords, opts);
        // Words are joined with single spaces; quote the task to keep it exactly as typed.
        const task = taskWords.length ? taskWords.join(" ") : undefined;
        // What a killed `new`/`start` left half made is rolled back or finished before starting.
        const resumed = await resumePending(ctx, name);
        if (resumed === "rolled-back") void takePrefetchedTips(); // read before the rollback: stale
        if (resumed === "bootstrap") {
          const { bootstrapWorktree } = await import("../../worktree/bootstrap.js");
          for (const w of (await bootstrapWorktree(ctx, ctx.store.require(name))).warnings) printWarning(w);
          await finishPending(ctx, name);
        }
        const r = await startSession(ctx, {
          ...sessionBasics(name, task, opts),
          mode: opts.mode,
          ...(opts.owns ? { owns: opts.owns } : {}),
          ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
          ...(autonomy ? { autonomy } : {}),
          ...(opts.mode === "swarm"
            ? { swarm: { executors: opts.executors, architects: opts.architects, rounds: opts.rounds } }
            : {}),
        });
        for (const w of r.warnings ?? []) printWarning(w);
        if (opts.json) {
          printJson({
            session: r.record,
            queued: r.queued,
            queuePosition: r.queuePosition,
            created: r.created,
            bootstrap: r.bootstrap ?? null,
          });
          return 0;
        }
        const s = r.record;
        if (r.created) print(`created ${s.name}: ${s.path} on ${s.branch}`);
        for (const line of bootstrapLines(r.bootstrap)) print(line);
        if (r.queued) {
          print(
            `queued ${s.name} (#${r.queuePosition} in line): ${ctx.config.max_code_sessions} implementation sessions are running; it starts when one finishes`,
          );
        } else {
          const rt = runtimeOf(s);
          print(`started ${s.name} (${s.agent}, ${s.type}${rt?.sandboxed ? ", sandboxed" : ""}) in ${s.path}`);
          // only a run with a terminal (tmux) can be attached to: a swarm or headless run is followed instead
          if (opts.mode === "swarm") print(`  follow: braid swarm ${s.name}`);
          else print(canAttach(rt) ? `  attach: braid attach ${s.name}` : `  follow: braid status ${s.name}`);
          const ports = s.ext?.ports?.ports ?? [];
          if (ports.length) print(`  ports: ${ports.join(", ")} (PORT=${ports[0]})`);
          const services = Object.keys(ctx.config.services);
          if (services.length) print(`  services: ${services.join(", ")} — braid status ${s.name}`);
        }
        return 0;
      }),
    );
}

/** What a session started here and one started on a host both take from the flags. */
function sessionBasics(name: string, task: string | undefined, opts: StartFlags): RemoteStartOptions {
  return {
    name,
    ...(task !== undefined ? { task } : {}),
    type: opts.type as SessionType,
    ...(opts.agent ? { agent: opts.agent } : {}),
    ...(opts.headless ? { headless: true } : {}),
    ...(opts.base ? { base: opts.base } : {}),
  };
}

async function startOnHost(
  ctx: Awaited<ReturnType<typeof loadContext>>,
  hostFlag: string,
  name: string,
  taskWords: string[],
  opts: StartFlags,
): Promise<number> {
  if (opts.mode !== "standard")
    throw new BraidError("--mode swarm is not supported with --host yet", "drop --mode, or start the swarm here");
  const { startRemoteSession } = await import("../../session/remote.js");
  const task = taskWords.length ? taskWords.join(" ") : undefined;
  const r = await startRemoteSession(ctx, hostFlag, {
    ...sessionBasics(name, task, opts),
    ...(opts.owns ? { owns: opts.owns } : {}),
    ...(opts.sandbox !== undefined ? { sandbox: opts.sandbox } : {}),
    ...(opts.autonomy !== undefined ? { autonomy: parseAutonomy(opts.autonomy) } : {}),
  });
  // --host auto: the host it picked
  const host = r.record.ext?.remote?.host ?? hostFlag;
  if (opts.json) {
    printJson({ session: r.record, queued: r.queued, queuePosition: null, created: true, bootstrap: null, host });
    return 0;
  }
  const s = r.record;
  print(`${r.queued ? "queued" : "started"} ${s.name} on host ${host} (${s.agent ?? "agent"}, ${s.type}) in ${s.path}`);
  print(`  follow: braid status ${s.name}`);
  return 0;
}
