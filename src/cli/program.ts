/** Builds the commander program, runs it, and turns every failure into one line + exit code. */
import { Command, CommanderError } from "commander";
import { GitError } from "../git/git.js";
import { isBraidError } from "../infra/errors.js";
import { setLockWaitReporter } from "../infra/fsutil.js";
import { setWarningReporter } from "../infra/notices.js";
import { writeErr } from "../infra/stdio.js";
import { takeResultCode } from "./act.js";
import { registerCommands } from "./commands/index.js";
import { commanderOutput, printError, printJson, printNotice, printWarning } from "./output.js";
import { version } from "./version.js";

/** The program with the commands `argv` needs (all of them for help and unknown words). */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("braid")
    .description("Run many AI coding-agent sessions in parallel on one repository, and braid their work back together.")
    .version(version(), "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(commanderOutput((s) => usageErrorLine(s, "")));
  await registerCommands(program, argv);
  const each = (cmds: readonly Command[], path: string): void => {
    for (const c of cmds) {
      const name = `${path}${c.name()}`;
      c.exitOverride().configureOutput(commanderOutput((s) => usageErrorLine(s, name)));
      each(c.commands, `${name} `);
    }
  };
  each(program.commands, "");
  return program;
}

/**
 * commander's usage errors ("error: unknown option '--jsn'\n(Did you mean --json?)\n") as braid's one line with
 * the fix: the suggestion, then where the command's flags are listed. Anything else (help text) passes through.
 */
function usageErrorLine(s: string, command: string): string {
  if (!s.startsWith("error:")) return s;
  const [first = "", ...rest] = s.slice(6).trim().split("\n");
  const mean = /^\(Did you mean (.+)\?\)$/.exec(rest.join(" ").trim())?.[1];
  const help = `\`braid ${command ? `${command} ` : ""}--help\``;
  return `braid: ${first.trim()} — ${mean ? `did you mean ${mean}? (` : "see "}${help}${mean ? ")" : ""}\n`;
}

export async function runProgram(argv: string[]): Promise<number> {
  takeResultCode();
  setLockWaitReporter(printNotice); // a wait longer than a second says for what and for whom
  setWarningReporter(printWarning);
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: "user" });
    return takeResultCode();
  } catch (e) {
    const code = errorCode(e);
    // A script asked for JSON: it gets the failure as JSON on stdout too (the line stays on stderr for people).
    if (code !== 0 && wantsJson(argv))
      printJson({ error: { message: lastError.message, fix: lastError.fix, exitCode: code } });
    return code;
  }
}

/** `--json` among braid's own arguments (not after `--`, where they belong to another program). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** What the last failure said, for the JSON form. */
const lastError: { message: string; fix: string | null } = { message: "", fix: null };

/** Prints the one line for people and keeps its parts for the JSON form. */
function fail(line: string, message = line, fix: string | null = null): void {
  lastError.message = message;
  lastError.fix = fix;
  printError(line);
}

function errorCode(e: unknown): number {
  if (e instanceof CommanderError) {
    // help/version were printed by commander; other errors were printed by it as one line (usageErrorLine)
    if (e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
    lastError.message = e.message.replace(/^error:\s*/, "").split("\n")[0] ?? e.message;
    lastError.fix = null;
    return 2;
  }
  if (isBraidError(e)) {
    fail(e.oneLine(), e.message.replace(/\s*\n\s*/g, " ").trim(), e.fix ?? null);
    return e.exitCode;
  }
  if (e instanceof GitError) {
    fail(e.message);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "EACCES" || err?.code === "EPERM" || err?.code === "EROFS") {
    fail(`permission denied: ${err.path ?? err.message} — check ownership and permissions of that path`);
    return 1;
  }
  if (err?.code === "ENOSPC") {
    fail("no space left on device — free some disk space and retry");
    return 1;
  }
  fail(`internal error: ${err?.message ?? String(e)} — please report it (BRAID_DEBUG=1 shows the stack)`);
  if (process.env.BRAID_DEBUG) writeErr(`${err?.stack ?? ""}\n`);
  return 70;
}
