/**
 * Google Gemini CLI (Ink TUI) screens. Not installed here: wordings come from Gemini CLI's public source
 * and issue reports (fixtures in test/fixtures/screens/gemini/ say so).
 */
import type { ScreenReading } from "./screen.js";
import { IDLE, screenLines, tail, WORKING, waiting } from "./screen.js";

const AUTH = /How would you like to authenticate for this project\?|Login with Google|Select Theme/;
const API_KEY = /Enter (?:your )?Gemini API Key|GEMINI_API_KEY environment variable not found/i;
const TRUST = /Do you trust this folder\?|Trust folder \(/;
const PERMISSION =
  /Allow execution of[^\n]*\?|Apply this change\?|Allow execution\?|Allow execution of MCP tool|Yes, allow once|No, suggest changes \(esc\)/;
// "⠏ Thinking about it (esc to cancel, 12s)".
const BUSY = /\(esc to cancel, \d+[smh]|esc to cancel,/;
const INPUT = /Type your message or @path\/to\/file|^[│ ]*> {2,}\S/m;

export function detectGemini(screen: string): ScreenReading | null {
  const lines = screenLines(screen);
  if (lines.length === 0) return null;
  const all = lines.join("\n");
  if (API_KEY.test(all)) return waiting("api-key prompt");
  if (AUTH.test(all)) return waiting("onboarding");
  if (TRUST.test(all)) return waiting("trust dialog");

  const bottom = tail(lines, 25);
  if (PERMISSION.test(bottom)) return waiting("permission prompt");
  if (BUSY.test(tail(lines, 12))) return WORKING;
  if (INPUT.test(tail(lines, 8))) return IDLE;
  return null;
}
