import type { Command } from "commander";
import { postNote } from "../../coord/post.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";
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
        if (opts.json) printJson(note);
        else print(`note #${note.id} from ${note.from} to ${note.to}`);
        return 0;
      }),
    );
}
