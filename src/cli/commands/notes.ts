import type { Command } from "commander";
import { followNotes } from "../../coord/follow.js";
import type { Note } from "../../coord/notes.js";
import { queryNotes } from "../../coord/query.js";
import { escapeLine } from "../../coord/text.js";
import { isAddressedTo } from "../../coord/unread.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";
import { paint, print, printJson, printWarning } from "../output.js";

interface Opts {
  unread?: boolean;
  for?: string;
  since?: string;
  follow?: boolean;
  json?: boolean;
  markRead?: boolean;
}

/** Human form: one line per note, extra lines indented. Control bytes are shown escaped, never sent to the terminal. */
function render(n: Note): string {
  const [first = "", ...rest] = n.text.split("\n").map(escapeLine);
  const when = n.time.slice(0, 19).replace("T", " ");
  const head = `${paint("dim", `#${n.id} ${when}`)} ${paint("bold", n.from)} → ${n.to}:`;
  return [`${head} ${first}`, ...rest.map((l) => `    ${l}`)].join("\n");
}

export function registerNotes(program: Command): void {
  program
    .command("notes")
    .description("read the notes sessions posted to each other")
    .option("--unread", "only notes the session has not been given yet (its read cursor)")
    .option("--for <name>", "only notes addressed to this session or to all")
    .option("--since <time>", "only notes from this time on: ISO time or 30s / 10m / 2h / 3d back")
    .option("--follow", "keep printing new notes as they arrive (Ctrl-C stops)")
    .option("--mark-read", "with --unread: mark the printed notes read for the session")
    .option("--json", "machine-readable output (see README: JSON shapes); with --follow one note per line")
    .action(
      act(async (opts: Opts) => {
        const ctx = await loadContext();
        // notes posted on hosts come here first (best effort: an unreachable host is caught up later)
        if (ctx.store.sessions().some((s) => s.ext?.remote)) {
          const { syncCoord } = await import("../../session/remote.js");
          const r = await syncCoord(ctx).catch((e: Error) => ({ hosts: [], unreachable: [e.message] }));
          for (const h of r.unreachable) printWarning(`host ${h} not reached: its notes may be missing here`);
        }
        const r = await queryNotes(ctx, {
          unread: opts.unread,
          for: opts.for,
          since: opts.since,
          markRead: opts.markRead,
        });
        if (r.strayLines > 0) {
          printWarning(`${r.strayLines} line(s) in ${r.path} are not in braid's note format and were skipped`);
        }
        if (opts.follow) {
          for (const n of r.notes) print(opts.json ? JSON.stringify(n) : render(n));
          const stop = new AbortController();
          process.once("SIGINT", () => stop.abort());
          process.once("SIGTERM", () => stop.abort());
          for await (const n of followNotes(r.path, r.last, stop.signal)) {
            if (r.session && !isAddressedTo(n, r.session)) continue;
            print(opts.json ? JSON.stringify(n) : render(n));
          }
          return 0;
        }
        if (opts.json) {
          printJson({ path: r.path, session: r.session, notes: r.notes, strayLines: r.strayLines });
          return 0;
        }
        if (r.notes.length === 0) print(r.session ? `no notes for ${r.session}` : "no notes yet");
        for (const n of r.notes) print(render(n));
        return 0;
      }),
    );
}
