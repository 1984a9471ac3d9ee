/** `braid learn`: add learnings to the project memory, typed in or taken from a session's transcript. */
import type { ProjectContext } from "../project/context.js";
import { inferAuthor } from "./author.js";
import { addLearnings, type LearnResult } from "./memory.js";
import { memoryPath } from "./paths.js";
import { checkText, MAX_LEARNING_CHARS, requireName, requireSection } from "./text.js";
import { type Candidate, findTranscript, readCandidates } from "./transcript.js";

export interface LearnOptions {
  text: string;
  section?: string;
  /** Default: the current worktree's session, else "user". */
  from?: string;
}

export async function learn(ctx: ProjectContext, opts: LearnOptions): Promise<LearnResult> {
  const text = checkText(opts.text, "learning", MAX_LEARNING_CHARS);
  const section = opts.section !== undefined ? requireSection(opts.section) : undefined;
  const from = opts.from !== undefined ? requireName(opts.from, "--from") : inferAuthor(ctx);
  return addLearnings(memoryPath(ctx), ctx.project.slug, [{ text, section, from }]);
}

export interface SessionCandidates {
  session: string;
  transcript: string;
  candidates: Candidate[];
}

/**
 * Lines the session's agent marked as learnings/decisions/gotchas/patterns, not yet saved. `recorded` is the
 * transcript the session's hooks reported (its live state, which the session layer above owns).
 */
export function sessionCandidates(ctx: ProjectContext, name: string, recorded?: string | null): SessionCandidates {
  const record = ctx.store.require(name);
  const transcript = findTranscript(record, recorded);
  return { session: name, transcript, candidates: readCandidates(transcript) };
}

export async function saveCandidates(ctx: ProjectContext, found: SessionCandidates): Promise<LearnResult> {
  return addLearnings(
    memoryPath(ctx),
    ctx.project.slug,
    found.candidates.map((c) => ({ text: c.text, section: c.section, from: found.session })),
  );
}
