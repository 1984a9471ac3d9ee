/** Text for a session's figures, shared by cards and compact rows (null figures become "–"/nothing). */

import { CONTEXT_WARN_PERCENT } from "../../agents/claude/context.js";
import type { SessionView } from "../../session/types.js";
import { formatBytes, formatCount, formatDuration, formatUsd } from "../format.js";

export const NONE = "–";

export function timeInState(v: SessionView, now: number): string {
  if (!v.since) return "";
  const t = Date.parse(v.since);
  return Number.isNaN(t) ? "" : formatDuration((now - t) / 1000);
}

export function stateText(v: SessionView, label: string): string {
  return v.state === "queued" && v.queuePosition ? `${label} #${v.queuePosition}` : label;
}

export function aheadBehind(v: SessionView): string {
  return v.ahead === null ? NONE : `↑${v.ahead} ↓${v.behind ?? 0}`;
}

export function changes(v: SessionView): string {
  if (v.changedFiles === null) return NONE;
  const lines = v.linesAdded === null ? "" : ` +${v.linesAdded} -${v.linesRemoved ?? 0}`;
  return `${v.changedFiles}f${lines}`;
}

export function tokensAndCost(v: SessionView): string {
  if (!v.tokens) return NONE;
  const t = v.tokens;
  const total = t.input + t.output + t.cacheRead + t.cacheWrite;
  return `${formatCount(total)} tok${v.costUsd === null ? "" : ` ${formatUsd(v.costUsd)}`}`;
}

export function resources(v: SessionView): string {
  if (v.cpuPercent === null && v.rssBytes === null) return NONE;
  const cpu = v.cpuPercent === null ? "" : `${Math.round(v.cpuPercent)}%`;
  const mem = v.rssBytes === null ? "" : formatBytes(v.rssBytes, { short: true });
  return [cpu, mem].filter(Boolean).join(" ");
}

/** "ctx 42%", "⚠ ctx 91%" from 85% on (time to refresh), "" when unknown. */
export function contextText(v: SessionView): string {
  if (v.contextPercent === null || v.contextPercent === undefined) return "";
  return `${contextFull(v) ? "⚠ " : ""}ctx ${v.contextPercent}%`;
}

export function contextFull(v: SessionView): boolean {
  return typeof v.contextPercent === "number" && v.contextPercent >= CONTEXT_WARN_PERCENT;
}
