/** Claude Code transcript fixtures: lines shaped exactly like the real CLI writes them (checked against 2.1.197). */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { projectFolderName } from "../../src/agents/claude/transcript.js";

/** An assistant line shaped like Claude Code 2.1 writes them (one per content block, usage repeated). */
export function assistantLine(id: string, usage: Record<string, number>, model = "claude-sonnet-4-5-20250929"): string {
  return JSON.stringify({
    parentUuid: "p",
    isSidechain: false,
    type: "assistant",
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text: "hi" }],
      usage: { ...usage, service_tier: "standard", server_tool_use: { web_search_requests: 0 } },
    },
    uuid: `u-${id}-${Math.random()}`,
    timestamp: "2026-11-25T10:00:00.000Z",
  });
}

/** Append lines to <home>/.claude/projects/<folder of worktree>/<file>; returns the file path. */
export function writeTranscript(home: string, worktree: string, file: string, lines: string[]): string {
  const dir = join(home, ".claude", "projects", projectFolderName(worktree));
  mkdirSync(dir, { recursive: true });
  const p = join(dir, file);
  appendFileSync(p, lines.map((l) => `${l}\n`).join(""));
  return p;
}
