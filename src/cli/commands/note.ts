import type { Command } from "commander";
import { postNote } from "../../coord/post.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";
import { print, printJson, printWarning } from "../output.js";
import { textArg } from "../stdin.js";

export function registerNote(program: Command): void {
  program
    .command("note")
    .argument("[text...]", 'the note ("-" reads it from stdin)')
    .description('post a note to the other sessions: braid note "Auth API ready at /api/auth/*"')
    .option("--to <name>", "a session name, or all (default) or user")
    .option("--from <name>", "author (default: the session of the current worktree, else user)")
    .option("--json", "print the posted note as JSON")
    .action(
      act(async (words: string[], opts: { to?: string; from?: string; json?: boolean }) => {
        const ctx = await loadContext();
        const note = await postNote(ctx, { text: await textArg(words), from: opts.from, to: opts.to });
        // a session on a host reads the host's copy of the notes: take it there now (best effort)
        if (ctx.store.sessions().some((s) => s.ext?.remote)) {
          const { syncCoord } = await import("../../session/remote.js");
          const r = await syncCoord(ctx).catch((e: Error) => ({ hosts: [], unreachable: [e.message] }));
          for (const h of r.unreachable)
            printWarning(`host ${h} not reached: the note goes there on the next braid host sync`);
        }
        if (opts.json) printJson(note);
        else print(`note #${note.id} from ${note.from} to ${note.to}`);
        return 0;
      }),
    );
}
