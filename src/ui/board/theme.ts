/** How each session state and type looks: one icon and one colour, used by cards and the compact list alike. */
import type { SessionState, SessionType } from "../../project/state.js";

export interface StateLook {
  icon: string;
  color: string;
  label: string;
}

export const STATE_LOOK: Record<SessionState | "unreachable", StateLook> = {
  created: { icon: "·", color: "gray", label: "created" },
  queued: { icon: "⧗", color: "blue", label: "queued" },
  starting: { icon: "◌", color: "cyan", label: "starting" },
  working: { icon: "●", color: "green", label: "working" },
  waiting: { icon: "❯", color: "yellow", label: "waiting for you" },
  idle: { icon: "○", color: "white", label: "idle" },
  done: { icon: "✔", color: "greenBright", label: "done" },
  failed: { icon: "✘", color: "red", label: "failed" },
  stopped: { icon: "■", color: "gray", label: "stopped" },
  lost: { icon: "?", color: "magenta", label: "lost (tmux server gone)" },
  unreachable: { icon: "⌁", color: "yellow", label: "unreachable (host not answering)" },
};

/** Research and review sessions are read-only helpers: a different border and tag set them apart. */
export const TYPE_LOOK: Record<SessionType, { tag: string; border: "round" | "double" | "classic"; color: string }> = {
  implementation: { tag: "impl", border: "round", color: "white" },
  research: { tag: "research", border: "double", color: "magenta" },
  review: { tag: "review", border: "double", color: "cyan" },
};
