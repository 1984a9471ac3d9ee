import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { decideSandbox } from "../../sandbox/probe.js";
import { startSession } from "../../session/control.js";
import { askFork, createFork, forkInfoOf } from "../../session/fork.js";
import { removeSession } from "../../session/remove.js";
import { act } from "../act.js";
import { print, printJson, printWarning } from "../output.js";

interface ForkFlags {
  as?: string;
  prompt?: string;
  keep?: boolean;
  sandbox?: boolean;
  json?: boolean;
}

export function registerFork(program: Command): void {
  program
    .command("fork <name>")
    .description(
      "read-only research session continuing NAME's Claude conversation, in a detached worktree at NAME's current state",
    )
    .option("--as <new>", "name of the fork (default: <name>-fork)")
    .option("--prompt <text>", "ask the fork one question headless and print its answer (no terminal session)")
    .option("--keep", "with --prompt: keep the fork's worktree and session afterwards (default: removed once answered)")
    .option("--sandbox", "run the fork's agent in the bubblewrap sandbox (default: config `sandbox`)")
    .option("--no-sandbox", "run it without the sandbox")
    .option("--json", "print the fork (and the answer) as JSON")
    .action(
      act(async (name: string, opts: ForkFlags) => {
        if (opts.prompt !== undefined && !opts.prompt.trim())
          throw new BraidError("the question is empty", "pass --prompt TEXT, or leave --prompt out for a session");
        const ctx = await loadContext();
        // Before anything is created: `on` where the sandbox cannot work is a one-line error.
        const sandbox = decideSandbox(opts.sandbox === undefined ? ctx.config.sandbox : opts.sandbox ? "on" : "off");
        const rec = await createFork(ctx, { from: name, ...(opts.as ? { as: opts.as } : {}) });
        const fork = forkInfoOf(rec);
        if (opts.prompt !== undefined) {
          // A one-question fork leaves nothing behind unless asked to: its worktree is a read-only snapshot.
          const discard = async (): Promise<true | string | null> =>
            opts.keep
              ? null
              : removeSession(ctx, rec.name).then(
                  () => true as const,
                  (e: unknown) => (e instanceof BraidError ? e.oneLine() : Promise.reject(e)),
                );
          const res = await askFork(ctx, rec, opts.prompt, { sandbox }).catch(async (e: unknown) => {
            await discard().catch(() => undefined);
            throw e;
          });
          const session = ctx.store.require(rec.name);
          const removed = await discard();
          const kept = removed !== true;
          if (typeof removed === "string") printWarning(`kept the fork ${rec.name}: ${removed}`);
          if (opts.json) printJson({ session, answer: res.text, ok: res.ok, error: res.error, log: res.logFile, kept });
          else if (res.ok) print(res.text);
          else throw new BraidError(`the fork ${rec.name} could not answer: ${res.error}`, `see ${res.logFile}`);
          return res.ok ? 0 : 1;
        }
        const started = await startSession(ctx, {
          name: rec.name,
          type: "research",
          agent: "claude",
          // without a question there is nothing to run headless: the fork is for talking to
          headless: false,
          sandbox,
        });
        if (opts.json) {
          printJson({ session: started.record, queued: started.queued });
          return 0;
        }
        print(`forked ${name} as ${rec.name} at ${fork?.snapshot.slice(0, 7)} (read-only) in ${rec.path}`);
        print(`  attach: braid attach ${rec.name}`);
        return 0;
      }),
    );
}
