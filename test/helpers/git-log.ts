/** A git on PATH that logs each subcommand it is asked for (one line each), then runs the real git. */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface GitLog {
  /** The directory to put first on PATH. */
  bin: string;
  /** Subcommands run since the log was last cleared, in order. */
  subcommands(): string[];
  /** The same, each with the directory git ran in. */
  calls(): Array<{ cwd: string; subcommand: string }>;
  clear(): void;
}

/** Install the logging git under `dir` (`dir/bin/git`, `dir/git.log`); `path` is the PATH it finds the real git on. */
export function installGitLog(dir: string, path = process.env.PATH ?? ""): GitLog {
  const bin = join(dir, "bin");
  const log = join(dir, "git.log");
  const where = join(dir, "git-cwd.log");
  const realGit = path
    .split(":")
    .map((d) => join(d, "git"))
    .find((p) => existsSync(p));
  assert.ok(realGit, "git on PATH");
  mkdirSync(bin, { recursive: true });
  // `-c key=value` pairs before the subcommand are skipped
  writeFileSync(
    join(bin, "git"),
    `#!/bin/sh\nfor a in "$@"; do case "$a" in -c|*=*) ;; *) echo "$a" >> "${log}"; echo "$PWD $a" >> "${where}"; break;; esac; done\nexec ${realGit} "$@"\n`,
  );
  chmodSync(join(bin, "git"), 0o755);
  const lines = (file: string) => {
    try {
      return readFileSync(file, "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return {
    bin,
    subcommands: () => lines(log),
    calls: () =>
      lines(where).map((l) => ({ cwd: l.slice(0, l.lastIndexOf(" ")), subcommand: l.slice(l.lastIndexOf(" ") + 1) })),
    clear: () => {
      writeFileSync(log, "");
      writeFileSync(where, "");
    },
  };
}
