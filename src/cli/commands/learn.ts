import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { learn, saveCandidates, sessionCandidates } from "../../coord/learn.js";
import type { LearnResult } from "../../coord/memory.js";
import { memoryPath } from "../../coord/paths.js";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { readLive } from "../../session/live.js";
import { act } from "../act.js";
import { print, printJson } from "../output.js";
import { textArg } from "../stdin.js";

interface Opts {
  section?: string;
  from?: string;
  fromSession?: string;
  yes?: boolean;
  json?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function report(r: LearnResult, path: string): void {
  for (const a of r.added) print(`learned (${a.section}): ${a.text}`);
  for (const d of r.duplicates) print(`already known, skipped: ${d}`);
  if (r.added.length) print(`memory: ${path}`);
}

export function registerLearn(program: Command): void {
  program
    .command("learn")
    .argument("[text...]", 'the learning ("-" reads it from stdin)')
    .description("add a learning to the project memory shared by every worktree and session")
    .option("--section <name>", "Patterns, Decisions, Gotchas, ... (default Learnings)")
    .option("--from <name>", "source session (default: the session of the current worktree, else user)")
    .option("--from-session <name>", "take the lines that session's agent marked Learning:/Decision:/Gotcha:/Pattern:")
    .option("--yes", "with --from-session: save every candidate without asking")
    .option("--json", "machine-readable result")
    .action(
      act(async (words: string[], opts: Opts) => {
        const ctx = await loadContext();
        const path = memoryPath(ctx);
        if (opts.fromSession === undefined) {
          if (opts.yes) throw new BraidError("--yes only applies to --from-session", "drop --yes");
          const r = await learn(ctx, { text: await textArg(words), section: opts.section, from: opts.from });
          if (opts.json) printJson({ path, ...r });
          else report(r, path);
          return 0;
        }
        if (words.length || opts.section !== undefined || opts.from !== undefined) {
          throw new BraidError(
            "--from-session takes no text, --section or --from",
            "run it on its own: braid learn --from-session NAME",
          );
        }
        const live = readLive(ctx.project.stateDir, opts.fromSession);
        const found = sessionCandidates(ctx, opts.fromSession, live?.transcriptPath);
        const interactive = !opts.yes && !opts.json && process.stdin.isTTY && process.stdout.isTTY;
        if (!opts.json) {
          print(`${found.candidates.length} candidate learning(s) in ${found.transcript}:`);
          for (const c of found.candidates) print(`  (${c.section}) ${c.text}`);
        }
        let save = opts.yes === true && found.candidates.length > 0;
        if (interactive && found.candidates.length) save = await confirm(`Add them to ${path}? [y/N] `);
        const r: LearnResult = save ? await saveCandidates(ctx, found) : { added: [], duplicates: [] };
        if (opts.json) {
          printJson({ path, transcript: found.transcript, candidates: found.candidates, saved: save, ...r });
          return 0;
        }
        if (save) report(r, path);
        else if (found.candidates.length) print("nothing saved: run again with --yes to add them");
        else print('none found: the agent marks them with lines like "Learning: ..." or "Gotcha: ..."');
        return 0;
      }),
    );
}
