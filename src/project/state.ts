/**
 * The registry of sessions braid created, kept in `<git-common-dir>/braid/state.json` so every
 * worktree of the repo sees the same registry and it disappears with the repo.
 * Writes are serialized across processes (lock) and atomic (temp + rename). A corrupt file is
 * reported with its path and the fix, and never silently overwritten.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../errors.js";
import { withLock, writeFileAtomic } from "../fsutil.js";

export const SESSION_TYPES = ["implementation", "research", "review"] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

/**
 * Lifecycle of a session. `created` = worktree only, no agent launched yet; `lost` = the tmux server the
 * agent ran in is gone (kill-server, reboot): `braid restart --all` brings it back in its conversation.
 */
export const SESSION_STATES = [
  "created",
  "queued",
  "starting",
  "working",
  "waiting",
  "idle",
  "done",
  "failed",
  "stopped",
  "lost",
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export interface SessionRecord {
  name: string;
  branch: string;
  /** Absolute worktree path. */
  path: string;
  /** Base branch/ref the session started from and merges back into. */
  baseRef: string;
  /** Commit of baseRef when the session was created. */
  baseCommit: string;
  /** ISO time. */
  createdAt: string;
  /** Cascade position: strictly increasing, oldest first. */
  order: number;
  type: SessionType;
  status: SessionState;
  /** ISO time status last changed. */
  statusSince?: string;
  /** Agent name (claude, codex, ...) once launched. */
  agent?: string;
  task?: string;
  /** Globs (relative to the repo root) this session declares it owns. */
  owns?: string[];
  /** True when braid created the branch (so `rm` may delete it). */
  createdBranch?: boolean;
  /** Free-form data owned by other modules (session runner, swarm ...), keyed by module. */
  ext?: Record<string, unknown>;
}

export interface StateData {
  version: 1;
  nextOrder: number;
  sessions: SessionRecord[];
}

function emptyState(): StateData {
  return { version: 1, nextOrder: 1, sessions: [] };
}

export class StateStore {
  readonly file: string;

  constructor(readonly stateDir: string) {
    this.file = join(stateDir, "state.json");
  }

  /** Current state; a missing file is an empty registry, a corrupt one an error with the fix. */
  read(): StateData {
    if (!existsSync(this.file)) return emptyState();
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      throw new BraidError(`cannot read braid state ${this.file}: ${(e as Error).message}`, "check its permissions");
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw corrupt(this.file, "not valid JSON");
    }
    const d = data as StateData;
    if (d?.version !== 1 || !Array.isArray(d.sessions) || typeof d.nextOrder !== "number") {
      throw corrupt(this.file, "unexpected shape");
    }
    for (const s of d.sessions) {
      if (!s || typeof s.name !== "string" || typeof s.path !== "string" || typeof s.branch !== "string") {
        throw corrupt(this.file, "a session entry lacks name/path/branch");
      }
    }
    return d;
  }

  /** Sessions in cascade order (oldest first). */
  sessions(): SessionRecord[] {
    return [...this.read().sessions].sort((a, b) => a.order - b.order);
  }

  get(name: string): SessionRecord | undefined {
    return this.read().sessions.find((s) => s.name === name);
  }

  /** The session, or a one-line error that lists what exists. */
  require(name: string): SessionRecord {
    const s = this.get(name);
    if (!s) {
      const names = this.sessions().map((x) => x.name);
      throw new BraidError(
        `no session named "${name}"`,
        names.length ? `known sessions: ${names.join(", ")}` : "create one with `braid new <name>`",
      );
    }
    return s;
  }

  /** Read-modify-write under the lock. fn mutates `data` in place and may return a value. */
  async update<T>(fn: (data: StateData) => T | Promise<T>): Promise<T> {
    return withLock(this.file, async () => {
      const data = this.read();
      const result = await fn(data);
      writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
      return result;
    });
  }

  /** Patch one session's record (no-op if it vanished meanwhile). */
  async patch(name: string, patch: Partial<SessionRecord>): Promise<SessionRecord | undefined> {
    return this.update((d) => {
      const s = d.sessions.find((x) => x.name === name);
      if (!s) return undefined;
      if (patch.status && patch.status !== s.status && !patch.statusSince) patch.statusSince = new Date().toISOString();
      Object.assign(s, patch);
      return s;
    });
  }
}

function corrupt(file: string, why: string): BraidError {
  return new BraidError(
    `braid state file is corrupt (${why}): ${file}`,
    `run \`braid doctor --fix\` (moves it aside to state.json.bad-<time> and rebuilds the registry from git)`,
  );
}
