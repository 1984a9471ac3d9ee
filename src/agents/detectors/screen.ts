/**
 * Shared helpers for reading a `tmux capture-pane -p` screen: normalise it and look only at its bottom,
 * where agents draw their live state (the scrollback above may quote old prompts or spinners).
 */
type ScreenState = "working" | "waiting" | "idle";

/** What a detector read from a screen (see index.ts). */
export interface ScreenReading {
  state: ScreenState;
  /**
   * For waiting: "permission prompt", "question", "plan approval", "trust dialog", "api-key prompt",
   * "onboarding".
   */
  detail?: string;
}

// CSI / OSC escape sequences, in case a caller captured with -e.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/** Screen lines without escapes, with non-breaking spaces as spaces, trailing blank lines dropped. */
export function screenLines(screen: string): string[] {
  const lines = screen
    .replace(ANSI, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\u00a0/g, " ")
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The last `n` lines as one string. */
export function tail(lines: string[], n: number): string {
  return lines.slice(-n).join("\n");
}

/** The last non-empty line. */
export function lastLine(lines: string[]): string {
  return lines[lines.length - 1] ?? "";
}

export const waiting = (detail: string): ScreenReading => ({ state: "waiting", detail });
export const WORKING: ScreenReading = { state: "working" };
export const IDLE: ScreenReading = { state: "idle" };
