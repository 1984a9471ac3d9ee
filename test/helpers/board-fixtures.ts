/** Realistic board data: six sessions in every interesting state, as `listSessionViews` would return them. */
import type { SessionView } from "../../src/session/types.js";
import type { BoardData } from "../../src/ui/board/model.js";

export const NOW = Date.parse("2026-11-25T11:00:00.000Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function view(p: Partial<SessionView> & Pick<SessionView, "order" | "name">): SessionView {
  return {
    type: "implementation",
    agent: "claude",
    state: "working",
    since: ago(60),
    detail: null,
    runner: "tmux",
    branch: `feature/${p.name}`,
    path: `/home/dev/myapp-${p.name}`,
    baseRef: "main",
    ahead: 0,
    behind: 0,
    changedFiles: 0,
    linesAdded: 0,
    linesRemoved: 0,
    conflictsWith: [],
    unreadNotes: 0,
    tokens: null,
    costUsd: null,
    cpuPercent: null,
    rssBytes: null,
    queuePosition: null,
    ...p,
  };
}

export const VIEWS: SessionView[] = [
  view({
    order: 1,
    name: "auth",
    state: "working",
    since: ago(192),
    ahead: 3,
    behind: 1,
    changedFiles: 5,
    linesAdded: 120,
    linesRemoved: 8,
    conflictsWith: ["billing"],
    tokens: { input: 12_000, output: 3_400, cacheRead: 210_000, cacheWrite: 9_000 },
    costUsd: 0.41,
    cpuPercent: 23.4,
    rssBytes: 310 * 1024 * 1024,
  }),
  view({
    order: 2,
    name: "billing",
    state: "waiting",
    since: ago(45),
    detail: "permission prompt: Bash",
    ahead: 1,
    changedFiles: 2,
    linesAdded: 30,
    linesRemoved: 2,
    conflictsWith: ["auth"],
    unreadNotes: 2,
    tokens: { input: 5_000, output: 900, cacheRead: 40_000, cacheWrite: 2_000 },
    costUsd: 0.09,
    cpuPercent: 0.5,
    rssBytes: 280 * 1024 * 1024,
  }),
  view({
    order: 3,
    name: "search",
    state: "done",
    since: ago(3_720),
    ahead: 4,
    changedFiles: 9,
    linesAdded: 402,
    linesRemoved: 77,
    tokens: { input: 80_000, output: 21_000, cacheRead: 1_200_000, cacheWrite: 50_000 },
    costUsd: 1.87,
  }),
  view({
    order: 4,
    name: "export",
    state: "failed",
    since: ago(30),
    detail: "exit 1",
    changedFiles: 1,
    linesAdded: 3,
    linesRemoved: 0,
  }),
  view({
    order: 5,
    name: "perf",
    state: "queued",
    since: ago(10),
    queuePosition: 1,
    agent: null,
    runner: null,
    ahead: null,
    behind: null,
    changedFiles: null,
    linesAdded: null,
    linesRemoved: null,
  }),
  view({
    order: 6,
    name: "research",
    type: "research",
    state: "idle",
    since: ago(600),
    tokens: { input: 2_000, output: 500, cacheRead: 0, cacheWrite: 0 },
    costUsd: 0.01,
    cpuPercent: 0,
    rssBytes: 150 * 1024 * 1024,
  }),
];

export function boardData(p: Partial<BoardData> = {}): BoardData {
  return {
    project: "myapp",
    views: VIEWS,
    limit: 4,
    recommendation: "room for 1 more implementation session",
    notes: [
      { at: ago(300), from: "auth", to: "billing", text: "I renamed User.id to User.uid", unread: true },
      { at: ago(100), from: "research", to: null, text: "the cache layer lives in src/cache", unread: false },
    ],
    liveAt: NOW,
    gitAt: NOW,
    error: null,
    ...p,
  };
}
