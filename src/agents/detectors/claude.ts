/**
 * Claude Code screens. Verified on 2.1.197 (fixtures in test/fixtures/screens/claude/); older wordings
 * seen in public reports are kept where they differ.
 */
import type { ScreenReading } from "./screen.js";
import { IDLE, screenLines, tail, WORKING, waiting } from "./screen.js";

// Set-up screens replace the whole UI, so they may be matched anywhere on the screen.
const ONBOARDING =
  /Unable to connect to Anthropic services|Select login method|Choose the text style|Let's get started\.|Security notes:/;
const API_KEY = /Detected a custom API key|Do you want to use this API key\?/;
const TRUST =
  /Yes, I trust this folder|Do you trust the files in this folder\?|Quick safety check: Is this a project you created or one you trust/;

// Dialogs drawn at the bottom, above or instead of the input box.
const PERMISSION =
  /Do you want to (?:proceed|create|make this edit|make these edits|allow|overwrite|delete|run|fetch|use)[^\n]*\?|This command requires approval/;
const OPTION_YES = /^\s*(?:❯\s*)?1\.\s*Yes\b/m;
const PLAN_APPROVAL = /Exit plan mode\?|Would you like to proceed\?|Ready to code\?/;
const QUESTION = /Enter to select · ↑\/↓ to navigate|^\s*☐ /m;

const BUSY = /esc to interrupt/i;
// "✻ Brewing… (10s · ↓ 11 tokens)": a spinner glyph, a verb and an ellipsis (finished turns say "✻ Brewed for 9s").
const SPINNER = /^\s*[^\w\s]\s+[A-Z][a-z]+(?:ing)?…(?:\s|$)/m;

// Idle: the footer hints shown under the input box, or the box itself at the bottom.
const IDLE_FOOTER = /\? for shortcuts|⏸ plan mode on|⏵⏵ accept edits on|bypass permissions on/;
const RULE = /^─{8,}$/;
const OLD_INPUT_LINE = /^│ > .*│$/;

/** The input box (a "❯ …" line between two rules) with at most a footer below it. */
function inputBoxAtBottom(lines: string[]): boolean {
  for (let i = lines.length - 1; i >= Math.max(2, lines.length - 4); i--) {
    if (RULE.test(lines[i]!) && RULE.test(lines[i - 2]!) && /^[❯>]( |$)/.test(lines[i - 1]!)) return true;
    if (OLD_INPUT_LINE.test(lines[i]!)) return true;
  }
  return false;
}

export function detectClaude(screen: string): ScreenReading | null {
  const lines = screenLines(screen);
  if (lines.length === 0) return null;
  const all = lines.join("\n");
  if (API_KEY.test(all)) return waiting("api-key prompt");
  if (TRUST.test(all)) return waiting("trust dialog");
  if (ONBOARDING.test(all)) return waiting("onboarding");

  // The bottom lines first: dialogs replace the input box, so while the box and its footer are drawn at
  // the bottom, dialog text higher up is only scrollback.
  const footer = tail(lines, 4);
  if (BUSY.test(footer)) return WORKING;
  if (IDLE_FOOTER.test(footer) || inputBoxAtBottom(lines)) return IDLE;

  const bottom = tail(lines, 25);
  if (PERMISSION.test(bottom) && OPTION_YES.test(bottom)) return waiting("permission prompt");
  if (PLAN_APPROVAL.test(bottom) && OPTION_YES.test(bottom)) return waiting("plan approval");
  if (QUESTION.test(bottom)) return waiting("question");
  if (SPINNER.test(tail(lines, 10))) return WORKING;
  return null;
}
