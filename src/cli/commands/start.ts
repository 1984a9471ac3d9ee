import type { Command } from "commander";
import { BraidError } from "../../errors.js";
import { loadContext } from "../../project/context.js";
import { SESSION_TYPES, type SessionType } from "../../project/state.js";
import { startSession } from "../../session/control.js";
import { runtimeOf } from "../../session/runtime.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

interface StartFlags {
  type?: string;
  agent?: string;
  headless?: boolean;
  base?: string;
  mode?: string;
  owns?: string[];
  executors?: number;
  architects?: number;
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
    .option("--executors <n>", "swarm: executor agents at once (default: config swarm_executors)", count("--executors"))
    .option("--architects <n>", "swarm: reviewer agents (default: config swarm_architects)", count("--architects"))
    .option("--json", "print the session as JSON")
    .action(
      act(async (name: string, taskWords: string[], opts: StartFlags) => {
        if (!SESSION_TYPES.includes(opts.type as SessionType))
          throw new BraidError(`unknown session type "${opts.type}"`, `use one of: ${SESSION_TYPES.join(", ")}`);
        if (opts.mode !== "standard" && opts.mode !== "swarm")
          throw new BraidError(`unknown mode "${opts.mode}"`, "use standard or swarm");
        const ctx = await loadContext();
        // Words are joined with single spaces; quote the task to keep it exactly as typed.
        const task = taskWords.length ? taskWords.join(" ") : undefined;
        const r = await startSession(ctx, {
          name,
          ...(task !== undefined ? { task } : {}),
          type: opts.type as SessionType,
          ...(opts.agent ? { agent: opts.agent } : {}),
          ...(opts.headless ? { headless: true } : {}),
          ...(opts.base ? { base: opts.base } : {}),
          mode: opts.mode,
          ...(opts.owns ? { owns: opts.owns } : {}),
          ...(opts.mode === "swarm" ? { swarm: { executors: opts.executors, architects: opts.architects } } : {}),
        });
        if (opts.json) {
          printJson({ session: r.record, queued: r.queued, queuePosition: r.queuePosition, created: r.created });
          return 0;
        }
        const s = r.record;
        if (r.queued) {
          print(
            `queued ${s.name} (#${r.queuePosition} in line): ${ctx.config.max_code_sessions} implementation sessions are running; it starts when one finishes`,
          );
        } else {
          print(`started ${s.name} (${s.agent}, ${s.type}) in ${s.path}`);
          // the runner may come from config (`runner = "headless"`), not only from --headless
          const headless = runtimeOf(s)?.runner === "headless";
          print(headless ? `  follow: braid status ${s.name}` : `  attach: braid attach ${s.name}`);
        }
        return 0;
      }),
    );
}
