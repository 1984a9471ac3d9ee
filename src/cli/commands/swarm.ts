import type { Command } from "commander";
import { parseAutonomy } from "../../agents/autonomy.js";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { runtimeOf } from "../../runtime/run.js";
import { decideSandbox } from "../../sandbox/probe.js";
import { requireSwarm, type SwarmRecord, swarmSummary } from "../../swarm/record.js";
import { runSwarmSession, startSwarmSession } from "../../swarm/session.js";
import { act } from "../act.js";
import { print, printJson, printNotice, table } from "../output.js";

function count(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 32) {
      throw new BraidError(`${flag} must be a whole number from 1 to 32 (got "${v}")`, `pass e.g. ${flag} 3`);
    }
    return n;
  };
}

function render(rec: SwarmRecord): void {
  print(`${rec.name}: ${swarmSummary(rec)}`);
  print(
    table(
      ["AGENT", "ROLE", "ROUND", "STATE", "BRANCH", "TIME", "LOG"],
      rec.agents.map((a) => [
        a.id,
        a.focus ? `${a.role} (${a.focus.split(" ")[0]})` : a.role,
        String(a.round),
        a.error ? `${a.state}: ${a.error}` : a.state,
        a.branch ?? "-",
        a.durationMs === null ? "-" : `${(a.durationMs / 1000).toFixed(1)}s`,
        a.logFile,
      ]),
    ),
  );
  if (rec.report) print(`\n${rec.report}`);
}

export function registerSwarm(program: Command): void {
  const swarm = program
    .command("swarm")
    .description("show a swarm session's plan, sub-agents, merges and verdicts per round")
    .argument("<name>", "session name")
    .option("--json", "the full swarm record (see README: JSON shapes)")
    .action(
      act(async (name: string, opts: { json?: boolean }) => {
        const rec = requireSwarm(await loadContext(), name);
        if (opts.json) printJson(rec);
        else render(rec);
        return 0;
      }),
    );
  swarm
    .command("run")
    .description("run a swarm headless in session NAME (created if missing) until done or failed")
    .argument("<name>", "session name")
    .argument("<task>", "what the swarm should build")
    .option("--executors <n>", "executor agents at once (default: config swarm_executors, 4)", count("--executors"))
    .option("--architects <n>", "reviewer agents (default: config swarm_architects, 3)", count("--architects"))
    .option("--rounds <n>", "review rounds before giving up (default: config swarm_rounds, 3)", count("--rounds"))
    .option("--agent <agent>", "agent for planner, executors and reviewers (default: config agent)")
    .option("--base <ref>", "base for a new session")
    .option("--autonomy <level>", "ask | edits | full (sandbox only): what executors may do without asking")
    .option("--sandbox", "run planner, executors and reviewers in the bubblewrap sandbox (default: config `sandbox`)")
    .option("--no-sandbox", "run them without the sandbox")
    .option("--json", "print the final swarm record")
    .action(
      act(
        async (
          name: string,
          task: string,
          opts: {
            executors?: number;
            architects?: number;
            rounds?: number;
            agent?: string;
            base?: string;
            autonomy?: string;
            sandbox?: boolean;
            json?: boolean;
          },
        ) => {
          // `--json` after `run` may be taken by the parent `swarm` command's own --json
          opts.json = opts.json || Boolean(swarm.opts().json);
          const ctx = await loadContext();
          let lastPhase = "";
          const { autonomy: level, sandbox: flag, ...rest } = opts;
          // Before anything is created: `on` where the sandbox cannot work is a one-line error.
          const sandbox = decideSandbox(flag === undefined ? ctx.config.sandbox : flag ? "on" : "off");
          const rec = await startSwarmSession(ctx, {
            name,
            task,
            ...rest,
            sandbox,
            ...(level === undefined ? {} : { autonomy: parseAutonomy(level) }),
            onProgress: (r) => {
              if (opts.json || r.phase === lastPhase) return;
              lastPhase = r.phase;
              printNotice(`swarm ${name}: ${r.state}: ${r.phase}`);
            },
          });
          if (opts.json) printJson(rec);
          else print(rec.report ?? swarmSummary(rec));
          return rec.state === "done" ? 0 : 1;
        },
      ),
    );
  // The session runner's entry point for `braid start --mode swarm` (not for users: hidden).
  swarm
    .command("exec", { hidden: true })
    .argument("<name>", "session name")
    .action(
      act(async (name: string) => {
        const ctx = await loadContext();
        // `braid start --mode swarm --sandbox`: the runner left braid outside; its agents go in.
        const sandboxed = runtimeOf(ctx.store.require(name))?.sandboxed === true;
        const rec = await runSwarmSession(ctx, name, (r) => print(`swarm ${name}: ${r.state}: ${r.phase}`), sandboxed);
        print(rec.report ?? swarmSummary(rec));
        return rec.state === "done" ? 0 : 1;
      }),
    );
}
