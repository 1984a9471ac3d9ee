/**
 * Aider screens (a line-oriented REPL, so the last line tells the state). Not installed here: wordings
 * come from aider's public source and issue reports (fixtures in test/fixtures/screens/aider/ say so).
 */
import type { ScreenReading } from "./screen.js";
import { IDLE, lastLine, screenLines, tail, WORKING, waiting } from "./screen.js";

const NO_KEYS = /No LLM model was specified and no API keys were provided/;
const ONBOARDING = /Login to OpenRouter or create a free account\?/;
// Every confirm_ask ends "(Y)es/(N)o… [Yes]: "; the question is on that line or just above it.
const CONFIRM = /\(Y\)es\/\(N\)o[^\n]*\[(?:Yes|No)\]:\s*$|\(Y\)es\/\(n\)o\/message with instructions:\s*$/;
const PERMISSION = /Run shell commands?\?|Create new file\?|Allow edits to|Allow creation of new file|Apply edits\?/;
// "░█        Waiting for claude-3-7-sonnet" (the knight-rider spinner), or repo-map scanning.
const BUSY = /Waiting for [\w./:-]+|Updating repo map|Scanning repo|^[░█▓▒\s]{3,}\S/m;
// The input prompt: "> ", "architect> ", "ask> ", "multi> " …
const PROMPT = /^(?:[\w-]+ )*(?:[\w-]+)?> ?$/;

export function detectAider(screen: string): ScreenReading | null {
  const lines = screenLines(screen);
  if (lines.length === 0) return null;
  const last = lastLine(lines);
  if (ONBOARDING.test(tail(lines, 6))) return waiting("onboarding");
  if (CONFIRM.test(last)) return waiting(PERMISSION.test(tail(lines, 3)) ? "permission prompt" : "question");
  if (PROMPT.test(last)) return NO_KEYS.test(tail(lines, 30)) ? waiting("api-key prompt") : IDLE;
  if (BUSY.test(tail(lines, 3))) return WORKING;
  if (NO_KEYS.test(tail(lines, 30))) return waiting("api-key prompt");
  return null;
}
