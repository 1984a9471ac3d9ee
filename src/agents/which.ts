/** Find an executable the way a shell would (PATH lookup), without running a shell. */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of `cmd`, or null when it is not found / not executable. */
export function which(cmd: string, pathEnv: string = process.env.PATH ?? "", cwd = process.cwd()): string | null {
  if (!cmd) return null;
  if (cmd.includes("/")) {
    const p = isAbsolute(cmd) ? cmd : resolve(cwd, cmd);
    return isExecutable(p) ? p : null;
  }
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}
