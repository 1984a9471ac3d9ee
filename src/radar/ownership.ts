/** Ownership: which session declared (`--owns GLOB`) which paths, and who steps on whose. */
import { picomatch } from "../infra/glob.js";
import type { SessionRecord } from "../project/state.js";

export interface OwnershipIssue {
  session: string;
  file: string;
  /** outside-owned: the session changed a file outside its own globs; owned-by-other: inside another's. */
  kind: "outside-owned" | "owned-by-other";
  /** The session owning the file (owned-by-other only). */
  owner: string | null;
}

export type Matcher = (path: string) => boolean;

const cache = new Map<string, Matcher>();

/** A matcher for a session's globs (relative to the repo root), or null when it owns nothing. */
export function ownsMatcher(globs: string[] | undefined): Matcher | null {
  if (!globs || globs.length === 0) return null;
  const key = globs.join("\0");
  let m = cache.get(key);
  if (!m) {
    m = picomatch()(globs, { dot: true });
    cache.set(key, m);
  }
  return m;
}

/** The first other session whose globs match `file`, or null. */
export function ownerOf(file: string, sessions: SessionRecord[], except: string): SessionRecord | null {
  for (const s of sessions) {
    if (s.name === except) continue;
    if (ownsMatcher(s.owns)?.(file)) return s;
  }
  return null;
}

/** Ownership problems in one session's changed files. */
export function ownershipIssues(session: SessionRecord, files: string[], all: SessionRecord[]): OwnershipIssue[] {
  const own = ownsMatcher(session.owns);
  const issues: OwnershipIssue[] = [];
  for (const file of files) {
    const owner = ownerOf(file, all, session.name);
    if (owner && !own?.(file)) {
      issues.push({ session: session.name, file, kind: "owned-by-other", owner: owner.name });
    } else if (own && !own(file)) {
      issues.push({ session: session.name, file, kind: "outside-owned", owner: null });
    }
  }
  return issues;
}
