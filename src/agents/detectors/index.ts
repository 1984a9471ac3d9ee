/**
 * Contract: screen-reading state detection (pure functions over `tmux capture-pane` text).
 * Returns null when the screen says nothing conclusive.
 */
import { detectAider } from "./aider.js";
import { detectClaude } from "./claude.js";
import { detectCodex } from "./codex.js";
import { detectGemini } from "./gemini.js";
import type { ScreenReading } from "./screen.js";

export type { ScreenReading } from "./screen.js";

const DETECTORS: Record<string, (screen: string) => ScreenReading | null> = {
  claude: detectClaude,
  codex: detectCodex,
  aider: detectAider,
  gemini: detectGemini,
};

/** The detector key for an agent name or command ("claude", "/usr/bin/claude --x" → "claude"), if any. */
export function detectorFor(agent: string): string | undefined {
  const first = agent.trim().split(/\s+/)[0] ?? "";
  const base = (first.split("/").pop() ?? "").toLowerCase();
  return Object.hasOwn(DETECTORS, base) ? base : undefined;
}

/** What the agent's screen says; null for unknown agents or inconclusive screens. */
export function detectScreenState(agent: string, screen: string): ScreenReading | null {
  const k = detectorFor(agent);
  return k ? DETECTORS[k]!(screen) : null;
}
