/**
 * `braid --help` without loading the 35 command modules (most of its start-up): the build step
 * (scripts/gen-help-index.mjs) records each visible command's help line next to this module, and the
 * top-level help registers stand-ins that print the same lines. Stale (older than a command module, or
 * missing) → the caller registers the real commands.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { Command, Help } from "commander";

const INDEX_URL = new URL("./help-index.json", import.meta.url);
const COMMANDS_DIR = new URL("./commands/", import.meta.url);

export interface HelpLine {
  name: string;
  /** As commander prints it: name, aliases, [options], arguments. */
  term: string;
  description: string;
}

/** The argv of the top-level help (what commander prints for it needs no command's code). */
export function isTopLevelHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && ["--help", "-h", "help"].includes(argv[0] as string));
}

/**
 * Each visible command's help line, as the real program prints it.
 * @public the build step (scripts/gen-help-index.mjs) calls it from dist/, which knip does not read
 */
export function helpLines(program: Command): HelpLine[] {
  const help: Help = program.createHelp();
  return help
    .visibleCommands(program)
    .filter((c) => c.name() !== "help")
    .map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: help.subcommandDescription(c) }));
}

/** The recorded lines, or null when missing or older than any command module. */
export function readHelpIndex(o: { checkFresh?: boolean } = {}): HelpLine[] | null {
  try {
    // A bundle (dist/bundle/help-*.cjs) holds the commands as the build that wrote the index saw them: no check.
    const built = statSync(INDEX_URL).mtimeMs;
    if (o.checkFresh !== false)
      for (const f of readdirSync(COMMANDS_DIR)) if (statSync(new URL(f, COMMANDS_DIR)).mtimeMs > built) return null;
    return JSON.parse(readFileSync(INDEX_URL, "utf8")) as HelpLine[];
  } catch {
    return null;
  }
}

/** Stand-in commands that print the recorded lines (top-level help only: they have no actions). */
export function registerHelpStandIns(program: Command, lines: readonly HelpLine[]): void {
  const terms = new Map(lines.map((l) => [l.name, l.term]));
  for (const l of lines) program.command(l.name).description(l.description);
  const plain = program.createHelp(); // for commander's own `help [command]`
  program.configureHelp({ subcommandTerm: (c) => terms.get(c.name()) ?? plain.subcommandTerm(c) });
}
