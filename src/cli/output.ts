/** Rendering helpers: the only place that writes to the terminal. */
import { styleText } from "node:util";
import { isTerminal, terminalColumns, writeErr, writeOut } from "../infra/stdio.js";

/** fd 1 (stdout) or 2 (stderr). */
type Fd = 1 | 2;

/** Colour on fd: the NO_COLOR / FORCE_COLOR / CLICOLOR_FORCE conventions (as commander reads them), else a terminal. */
export function useColor(fd: Fd = 1): boolean {
  const env = process.env;
  if (env.NO_COLOR || env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return isTerminal(fd);
}

/**
 * commander's output through braid's writers: its defaults read `process.stdout`, whose stream costs a short
 * command's start-up (infra/stdio.ts). `usageError` turns commander's error text into braid's one line.
 */
export function commanderOutput(usageError: (s: string) => string) {
  return {
    writeOut: writeOut,
    writeErr: (s: string) => writeErr(usageError(s)),
    // commander wraps help to 80 columns when the output is not a terminal, as here
    getOutHelpWidth: () => terminalColumns(1) ?? 80,
    getErrHelpWidth: () => terminalColumns(2) ?? 80,
    getOutHasColors: () => useColor(1),
    getErrHasColors: () => useColor(2),
  };
}

type Style = Parameters<typeof styleText>[0];

export function paint(style: Style, text: string, fd: Fd = 1): string {
  return useColor(fd) ? styleText(style, text) : text;
}

export { isTerminal };

/** Text to stdout as it is (no newline added): the one way commands write their result. */
export const write = writeOut;

export function print(text = ""): void {
  writeOut(`${text}\n`);
}

export function printJson(value: unknown): void {
  writeOut(`${JSON.stringify(value, null, 2)}\n`);
}

export function printError(line: string): void {
  writeErr(`braid: ${line}\n`);
}

/** Progress for the user on stderr (stdout stays the command's result, e.g. its JSON). */
export function printNotice(line: string): void {
  writeErr(`${line}\n`);
}

export function printWarning(line: string): void {
  writeErr(`${paint("yellow", "warning:", 2)} ${line}\n`);
}

/** Visible width: strips ANSI escapes. */
function width(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
  return s.replace(/\x1b\[[0-9;]*m/g, "").length;
}

/** Left-aligned columns separated by two spaces. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ""))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - width(c))))
      .join("  ")
      .trimEnd();
  return [paint("bold", line(headers)), ...rows.map(line)].join("\n");
}
