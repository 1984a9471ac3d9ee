import type { Command } from "commander";
import { loadContext } from "../../project/context.js";
import { runtimeOf } from "../../runtime/run.js";
import { canAttach } from "../../runtime/runners.js";
import { refreshSession } from "../../session/refresh.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";

export function registerRefresh(program: Command): void {
  program
    .command("refresh <name>")
    .description(
      "for a full context window: save the session's learnings, then restart its agent in a fresh conversation with a hand-off prompt",
    )
    .option("--json", "print the result as JSON")
    .action(
      act(async (name: string, opts: { json?: boolean }) => {
        const r = await refreshSession(await loadContext(), name);
        const s = r.started;
        if (opts.json) {
          printJson({
            session: s.record,
            queued: s.queued,
            queuePosition: s.queuePosition,
            previousConversation: r.previousConversation,
            learned: r.learned,
            handoff: r.handoff,
          });
          return 0;
        }
        const learned = r.learned
          ? `${r.learned.added.length} learning(s) saved${r.learned.duplicates.length ? `, ${r.learned.duplicates.length} already known` : ""}`
          : "no transcript to learn from";
        print(`${learned}; hand-off prompt: ${r.handoff.length} characters`);
        if (s.queued) print(`queued ${name} (#${s.queuePosition} in line) for a fresh conversation`);
        else {
          const tmux = canAttach(runtimeOf(s.record));
          print(`refreshed ${name}: a fresh conversation took over${tmux ? ` — braid attach ${name}` : ""}`);
        }
        return 0;
      }),
    );
}
