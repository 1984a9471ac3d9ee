/**
 * Contract: screen-reading state detection (pure functions over `tmux capture-pane` text).
 * Returns null when the screen says nothing conclusive.
 */
export type ScreenState = "working" | "waiting" | "idle";

export interface ScreenReading {
  state: ScreenState;
  /** e.g. "permission prompt", "trust dialog", "question" */
  detail?: string;
}

export function detectScreenState(_agent: string, _screen: string): ScreenReading | null {
  return null;
}
