/**
 * CLI entry. Keeps `braid --version` near bare-node start-up by loading commander and the
 * command modules only when a real command runs.
 */

import { writeOut } from "../infra/stdio.js";
import { version } from "./version.js";

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    writeOut(`${version()}\n`);
    return 0;
  }
  if (argv[0] === "hook") {
    // Agent hooks: no commander, no command modules. bin/braid.js runs them from their own bundle
    // (dist/bundle/hook.js) without coming here; this path serves callers of dist/src.
    const { runHookCli } = await import("../session/hook.js");
    return runHookCli(argv.slice(1));
  }
  const { prefetchFor } = await import("../project/prefetch.js");
  prefetchFor(argv[0], process.cwd());
  const { runProgram } = await import("./program.js");
  return runProgram(argv);
}
