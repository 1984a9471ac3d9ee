import type { Command } from "commander";
import { openInEditor } from "../../coord/editor.js";
import { ensureMemoryFile, readMemory } from "../../coord/memory.js";
import { memoryPath } from "../../coord/paths.js";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { act } from "../act.js";
import { print, printJson, write } from "../output.js";

export function registerMemory(program: Command): void {
  program
    .command("memory")
    .description("show the project memory (plain Markdown shared by every worktree)")
    .option("--path", "print only the file's path")
    .option("--edit", "open it in $VISUAL / $EDITOR")
    .option("--json", "machine-readable output (see README: JSON shapes)")
    .action(
      act(async (opts: { path?: boolean; edit?: boolean; json?: boolean }) => {
        const ctx = await loadContext();
        const path = memoryPath(ctx);
        if ([opts.path, opts.edit, opts.json].filter(Boolean).length > 1) {
          throw new BraidError("--path, --edit and --json do not combine", "use one of them");
        }
        if (opts.path) {
          print(path);
          return 0;
        }
        if (opts.edit) {
          await ensureMemoryFile(path, ctx.project.slug);
          return openInEditor(path);
        }
        const m = readMemory(path);
        if (opts.json) {
          printJson({ project: ctx.project.slug, path, exists: m.exists, sections: m.sections, text: m.text });
          return 0;
        }
        if (!m.exists || !m.text.trim())
          print(`no memory yet for ${ctx.project.slug} (${path}) — add one with braid learn "..."`);
        else write(m.text.endsWith("\n") ? m.text : `${m.text}\n`);
        return 0;
      }),
    );
}
