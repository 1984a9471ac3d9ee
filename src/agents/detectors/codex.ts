/**
 * OpenAI Codex CLI (Rust TUI) screens. Not installed here: wordings come from Codex's public source and
 * issue reports (fixtures in test/fixtures/screens/codex/ say so).
 */
import type { ScreenReading } from "./screen.js";
import { IDLE, screenLines, tail, WORKING, waiting } from "./screen.js";

const LOGIN = /Sign in with ChatGPT|Welcome to Codex, OpenAI's command-line coding agent/;
const API_KEY = /Paste (?:or type )?your API key|Enter your OpenAI API key/i;
const TRUST =
  /Do you trust the contents of this (?:directory|project)\?|allow Codex to work in this folder|You are running Codex in /i;
const PERMISSION =
  /Would you like to (?:run the following command|make the following edits|grant these permissions)\?|Allow command\?|needs your approval/;
const QUESTION = /Codex needs your input/;
// "• Working (12s • esc to interrupt)"; newer builds say "esc esc" or "ctrl+c to interrupt".
const BUSY = /\((?:\d+h\s*)?(?:\d+m\s*)?\d+s\s*[•·][^)]*to interrupt\)|(?:esc|ctrl\+c) to interrupt/i;
// The composer: "› Ask Codex to do anything" / "› <typed text>", with footer hints.
const COMPOSER = /^› (?!\d+\. )/m;
const IDLE_FOOTER = /\? for shortcuts|⏎ send|context left/;

export function detectCodex(screen: string): ScreenReading | null {
  const lines = screenLines(screen);
  if (lines.length === 0) return null;
  const all = lines.join("\n");
  if (LOGIN.test(all)) return waiting("onboarding");
  if (API_KEY.test(all)) return waiting("api-key prompt");
  if (TRUST.test(all)) return waiting("trust dialog");

  // Approval overlays replace the composer: once the composer is back at the bottom, an approval text
  // above it is an answered one in the scrollback.
  const footer = tail(lines, 6);
  if (BUSY.test(footer)) return WORKING;
  if (IDLE_FOOTER.test(footer) || COMPOSER.test(tail(lines, 3))) return IDLE;
  const bottom = tail(lines, 25);
  if (PERMISSION.test(bottom)) return waiting("permission prompt");
  if (QUESTION.test(bottom)) return waiting("question");
  if (BUSY.test(tail(lines, 12))) return WORKING;
  return null;
}
