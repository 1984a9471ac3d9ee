/**
 * What the watcher tells the radar, in `<stateDir>/watch/`: `state.json` (the daemon's identity, a heartbeat, and the
 * generation of each worktree it fully watches) and `daemon.lock` (one daemon per project). The radar trusts a
 * generation only while the daemon that wrote it still runs and beats: a dead daemon's last word says nothing.
 */
import { readFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../infra/fsutil.js";
import { pidAlive, processStart } from "../infra/process.js";

export interface WatchState {
  v: 1;
  pid: number;
  /** The daemon's start time (processStart), so a later process with its pid is not taken for it. */
  start: string | null;
  /** Changes with every daemon: generations of two daemons never compare equal. */
  epoch: string;
  /** Heartbeat (ms since the epoch): rewritten every few seconds. */
  at: number;
  /** Generation of each worktree whose every directory is watched, by path. */
  worktrees: Record<string, number>;
  /** Those with new folders not all watched yet: their generation moves again soon (for tests and the curious). */
  settling: string[];
}

/** A heartbeat older than this: the daemon is stuck or gone. */
export const HEARTBEAT_MS = 5_000;
const STALE_MS = 3 * HEARTBEAT_MS;

export const watchDir = (stateDir: string) => join(stateDir, "watch");
export const watchStateFile = (stateDir: string) => join(watchDir(stateDir), "state.json");
export const watchLockFile = (stateDir: string) => join(watchDir(stateDir), "daemon.lock");
/** Touched by the radar (at most once a minute) while it uses the watcher: an unused daemon ends. */
export const watchUsedFile = (stateDir: string) => join(watchDir(stateDir), "used");
/** Touched when a radar starts a daemon: another start waits a while instead of piling up daemons. */
export const watchStartedFile = (stateDir: string) => join(watchDir(stateDir), "started");

/** Set a marker file's mtime to `now` (the used and started files), making it when it is not there yet. */
export function touch(file: string, now: number): void {
  try {
    utimesSync(file, now / 1000, now / 1000);
  } catch {
    writeFileAtomic(file, "", { durable: false });
  }
}

function readState(stateDir: string): WatchState | null {
  try {
    const s = JSON.parse(readFileSync(watchStateFile(stateDir), "utf8")) as WatchState;
    return s && s.v === 1 && typeof s.pid === "number" && typeof s.epoch === "string" ? s : null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote `s` is still that process, and beating. */
function alive(s: WatchState, now: number): boolean {
  return now - s.at < STALE_MS && pidAlive(s.pid) && (s.start === null || processStart(s.pid) === s.start);
}

export interface WatchView {
  /** A daemon runs for this project. */
  running: boolean;
  /** The token of each fully watched worktree: equal tokens at two times mean nothing in it changed between. */
  tokens: Map<string, string>;
}

export function readWatch(stateDir: string, now = Date.now()): WatchView {
  const s = readState(stateDir);
  if (!s || !alive(s, now)) return { running: false, tokens: new Map() };
  return {
    running: true,
    tokens: new Map(Object.entries(s.worktrees ?? {}).map(([path, gen]) => [path, `${s.epoch}:${gen}`])),
  };
}
