/** Open a file in the user's editor ($VISUAL, then $EDITOR, then vi), spawned with an argument array. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { BraidError } from "../infra/errors.js";

export function editorArgv(): string[] {
  const raw = (process.env.VISUAL || process.env.EDITOR || "vi").trim();
  // A path to an existing file is the command even if it contains spaces; otherwise "code -w"
  // style values carry arguments: split on whitespace, no shell involved.
  if (existsSync(raw)) return [raw];
  return raw.split(/\s+/).filter(Boolean);
}

/** Runs the editor in the foreground; returns its exit code. */
export function openInEditor(path: string): number {
  const [cmd, ...args] = editorArgv();
  const r = spawnSync(cmd ?? "vi", [...args, path], { stdio: "inherit" });
  if (r.error) {
    throw new BraidError(
      `cannot start editor "${cmd}": ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`,
      "set $VISUAL or $EDITOR to an installed editor (e.g. EDITOR=nano)",
    );
  }
  return r.status ?? 1;
}
