/**
 * The registry of sessions braid created, kept in `<git-common-dir>/braid/state.json` so every
 * worktree of the repo sees the same registry and it disappears with the repo.
 * Writes are serialized across processes (lock) and atomic (temp + rename). A corrupt file is
 * reported with its path and the fix, and never silently overwritten.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { BraidError } from "../infra/errors.js";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
import { literalPrefix } from "../infra/glob.js";

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

/** Record states in which an agent process is (supposed to be) running. */
const ACTIVE_STATES = ["starting", "working", "waiting", "idle"] as const;

export function isActive(status: string): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(status);
}

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
  /**
   * Set while `braid new`/`start` is still making the session (checkout, then bootstrap), cleared when it
   * finished: one left by a killed process is resumed by the next `new`/`start`, or by `doctor --fix`.
   */
  pending?: PendingStep;
  /** One slot per feature (session runner, swarm, merge ...): see SessionExt. */
  ext?: SessionExt;
}

/**
 * The per-feature slots of a session record. Each feature declares its own slot beside its code by augmenting
 * this interface (`declare module "../project/state.js" { interface SessionExt { fork?: ForkInfo } }`), so the
 * registry knows no feature. Values come from a JSON file, so each feature's reader (`runtimeOf`, `forkInfoOf`
 * ...) checks its slot's shape before trusting it. Change a slot with `StateStore.patchSlot` (or inside
 * `update`): a slot read outside the lock and written back later loses what others wrote meanwhile.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the features (declaration merging)
export interface SessionExt {}

export interface PendingStep {
  step: "checkout" | "bootstrap";
  /** The process making it (pid + start time: alive or provably dead). */
  pid: number;
  start: string | null;
  host: string;
}

export interface StateData {
  version: 1;
  nextOrder: number;
  sessions: SessionRecord[];
  /** Spare worktrees of the pool (`pool = N`): not sessions, so nothing that reads `sessions` sees them. */
  spares?: SpareRecord[];
}

/**
 * A spare worktree (worktree/pool.ts): detached at `baseCommit`, bootstrapped, waiting for a `new` to take it.
 * Only a `ready` one is taken; `filling`/`refreshing` ones belong to `maker` (discarded once it is dead).
 */
export interface SpareRecord {
  id: string;
  /** Absolute path, under `<state>/pool/`. */
  path: string;
  baseRef: string;
  baseCommit: string;
  createdAt: string;
  state: "filling" | "refreshing" | "ready";
  /** What the bootstrap depended on (config, trust, copy sources): a spare made under another one is stale. */
  key: string;
  /** The process filling or refreshing it. */
  maker?: Omit<PendingStep, "step">;
  /** The bootstrap's report, handed to the `new` that takes the spare. */
  bootstrap?: unknown;
  /** Setup commands left for the taker (they depend on the session: name, ports, env templates). */
  setupAtTake?: boolean;
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
    return this.load().data;
  }

  /** The state and the file's text as read (null: no file yet). */
  private load(): { data: StateData; text: string | null } {
    if (!existsSync(this.file)) return { data: emptyState(), text: null };
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
    const v = (data as { version?: unknown } | null)?.version;
    if (typeof v === "number" && Number.isInteger(v) && v > 1) throw newerState(this.file, v);
    const why = shapeProblem(data);
    if (why) throw corrupt(this.file, why);
    return { data: data as StateData, text };
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
      const { data, text: before } = this.load();
      const result = await fn(data);
      const text = `${JSON.stringify(data, null, 2)}\n`;
      // Nothing changed (a patch to the same values, nothing pending to clear): no write, and none of its fsyncs.
      if (text === before) return result;
      const owned = data.sessions.some((s) => s.owns?.length);
      if (owned) forgetNoOwners(dirname(this.file));
      writeFileAtomic(this.file, text);
      // A second copy (its own inode: damage to state.json in place does not reach it) of what was just
      // written, so `doctor --fix` restores the newest registry, not the one before. The registry is
      // written by now, so a failed copy (full disk) must not fail the command: the older copy stays.
      try {
        writeFileAtomic(backupFile(this.file), text);
      } catch {
        /* keep the previous copy */
      }
      if (owned) writeOwnedPrefixes(dirname(this.file), data.sessions);
      else markNoOwners(dirname(this.file));
      return result;
    });
  }

  /** Patch one session's record (no-op if it vanished meanwhile). Feature slots go through `patchSlot`. */
  async patch(name: string, patch: Partial<Omit<SessionRecord, "ext">>): Promise<SessionRecord | undefined> {
    return this.update((d) => {
      const s = d.sessions.find((x) => x.name === name);
      if (!s) return undefined;
      if (patch.status && patch.status !== s.status && !patch.statusSince) patch.statusSince = new Date().toISOString();
      Object.assign(s, patch);
      return s;
    });
  }

  /**
   * Change one feature's slot of a session, computed from its current value inside the lock, so writers of
   * other slots (or of this one) are never overwritten. `fn` returning undefined removes the slot. No-op if
   * the session vanished meanwhile.
   */
  async patchSlot<K extends keyof SessionExt>(
    name: string,
    slot: K,
    fn: (current: SessionExt[K] | undefined, record: SessionRecord) => SessionExt[K] | undefined,
  ): Promise<SessionRecord | undefined> {
    return this.update((d) => {
      const s = d.sessions.find((x) => x.name === name);
      if (!s) return undefined;
      const ext: SessionExt = { ...s.ext };
      const next = fn(ext[slot], s);
      if (next === undefined) delete ext[slot];
      else ext[slot] = next;
      s.ext = ext;
      return s;
    });
  }
}

/** A registry from a newer braid is not corrupt: setting it aside (doctor --fix) would lose its sessions. */
function newerState(file: string, version: number): BraidError {
  return Object.assign(
    new BraidError(
      `braid state file ${file} was written by a newer braid (state version ${version}; this braid reads version 1)`,
      "upgrade braid to the version that wrote it (do not `braid doctor --fix`: that sets the registry aside)",
    ),
    { newerState: true },
  );
}

/** Whether `e` is the error of a registry written by a newer braid (see newerState). */
export function isNewerStateError(e: unknown): boolean {
  return (e as { newerState?: unknown } | null)?.newerState === true;
}

function corrupt(file: string, why: string): BraidError {
  return new BraidError(
    `braid state file is corrupt (${why}): ${file}`,
    "run `braid doctor --fix` (moves it aside, restores its last good copy state.json.bak and re-checks it against git)",
  );
}

/**
 * `<state>/no-owners`: written after a registry in which no session owns paths, so the ownership guard has nothing
 * to check; removed before one where some session does. The edit hook's shell trusts it only while it is newer
 * than state.json (agents/claude.ts), so any other write of the registry (a restore, a hand edit) sends edits to
 * braid's guard again. Only a hint for speed: when it cannot be written, braid's guard runs, as before.
 */
export function noOwnersFile(stateDir: string): string {
  return join(stateDir, "no-owners");
}

function forgetNoOwners(stateDir: string): void {
  try {
    rmSync(noOwnersFile(stateDir), { force: true });
  } catch {
    /* it is older than the registry about to be written: the shell does not trust it */
  }
}

/**
 * Where owned paths can start (the literal prefix of every glob any session owns, one per line), for the edit
 * hook's shell: an edit of a path under none of them needs no guard. Trusted, like no-owners, only while newer than
 * state.json.
 */
export function ownedPrefixesFile(stateDir: string): string {
  return join(stateDir, "owned-prefixes");
}

function writeOwnedPrefixes(stateDir: string, sessions: SessionRecord[]): void {
  try {
    const prefixes = new Set(sessions.flatMap((s) => (s.owns ?? []).map(literalPrefix)));
    writeFileAtomic(ownedPrefixesFile(stateDir), [...prefixes].map((p) => `${p}\n`).join(""), { durable: false });
  } catch {
    /* older than the registry: the shell does not trust it, braid's hook decides */
  }
}

function markNoOwners(stateDir: string): void {
  try {
    writeFileAtomic(noOwnersFile(stateDir), "", { durable: false });
  } catch {
    /* see above */
  }
}

/** The copy of the registry's last good write, for `doctor --fix`. */
export function backupFile(file: string): string {
  return `${file}.bak`;
}

const str = (v: unknown) => typeof v === "string";
const OPTIONAL_STRINGS = ["statusSince", "agent", "task"] as const;
const REQUIRED_STRINGS = ["name", "branch", "path", "baseRef", "baseCommit", "createdAt"] as const;

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/**
 * Cheap hand-written checks of the registry's shape (the hook path reads it: no schema library). Returns
 * what is wrong, or null. Every field a command reads is checked, so a wrongly typed one is a one-line
 * error instead of a crash deep inside a command.
 */
export function shapeProblem(data: unknown): string | null {
  const d = data as Partial<StateData> | null;
  if (!d || typeof d !== "object" || Array.isArray(d)) return "not an object";
  if (d.version !== 1) return `unknown version ${JSON.stringify(d.version)}`;
  if (typeof d.nextOrder !== "number") return `"nextOrder" is ${kind(d.nextOrder)}, expected a number`;
  if (!Array.isArray(d.sessions)) return `"sessions" is ${kind(d.sessions)}, expected an array`;
  for (const [i, s] of d.sessions.entries()) {
    if (!s || typeof s !== "object") return `session #${i + 1} is ${kind(s)}, expected an object`;
    const r = s as unknown as Record<string, unknown>;
    const at = `session #${i + 1}${str(r.name) ? ` "${r.name}"` : ""}`;
    for (const k of REQUIRED_STRINGS) if (!str(r[k])) return `${at}: "${k}" is ${kind(r[k])}, expected a string`;
    for (const k of OPTIONAL_STRINGS)
      if (r[k] !== undefined && !str(r[k])) return `${at}: "${k}" is ${kind(r[k])}, expected a string`;
    if (typeof r.order !== "number") return `${at}: "order" is ${kind(r.order)}, expected a number`;
    if (!SESSION_TYPES.includes(r.type as SessionType)) return `${at}: unknown type ${JSON.stringify(r.type)}`;
    if (!SESSION_STATES.includes(r.status as SessionState)) return `${at}: unknown status ${JSON.stringify(r.status)}`;
    if (r.owns !== undefined && !(Array.isArray(r.owns) && r.owns.every(str)))
      return `${at}: "owns" must be a list of strings`;
    if (r.createdBranch !== undefined && typeof r.createdBranch !== "boolean")
      return `${at}: "createdBranch" is ${kind(r.createdBranch)}, expected true/false`;
    const p = r.pending as Partial<PendingStep> | undefined;
    if (
      p !== undefined &&
      (typeof p !== "object" || typeof p.pid !== "number" || !["checkout", "bootstrap"].includes(p.step as string))
    )
      return `${at}: "pending" is malformed`;
    if (r.ext !== undefined && (typeof r.ext !== "object" || r.ext === null || Array.isArray(r.ext)))
      return `${at}: "ext" is ${kind(r.ext)}, expected an object`;
  }
  if (d.spares !== undefined) {
    if (!Array.isArray(d.spares)) return `"spares" is ${kind(d.spares)}, expected an array`;
    for (const [i, sp] of d.spares.entries()) {
      const r = sp as unknown as Record<string, unknown> | null;
      if (!r || typeof r !== "object") return `spare #${i + 1} is ${kind(r)}, expected an object`;
      for (const k of ["id", "path", "baseRef", "baseCommit", "state", "key"] as const)
        if (!str(r[k])) return `spare #${i + 1}: "${k}" is ${kind(r[k])}, expected a string`;
    }
  }
  return null;
}
