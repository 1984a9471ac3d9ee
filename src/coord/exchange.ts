/**
 * Notes and memory of one project kept in two places (here and on a host): each side sends what it has,
 * the other adds what it lacks — notes by id, learnings by their normalized text — so a sync can be
 * repeated, run from either side, or skipped while a host was unreachable, without duplicates or losses.
 */
import type { ProjectContext } from "../project/context.js";
import { addLearnings, readMemory } from "./memory.js";
import { importNotes, type Note, readNotesFile } from "./notes.js";
import { memoryPath, notesPath } from "./paths.js";

export interface CoordBundle {
  notes: Note[];
  learnings: Array<{ text: string; section: string; from: string | null }>;
}

/** Everything this side has. */
export function coordBundle(ctx: ProjectContext): CoordBundle {
  const notes = readNotesFile(notesPath(ctx)).notes;
  const learnings = readMemory(memoryPath(ctx)).sections.flatMap((s) =>
    s.items.map((i) => ({ text: i.text, section: s.name, from: i.from })),
  );
  return { notes, learnings };
}

/** Add what this side lacks from `other`; returns how many notes and learnings arrived. */
export async function importCoord(
  ctx: ProjectContext,
  other: Partial<CoordBundle>,
): Promise<{ notes: number; learnings: number }> {
  const notes = await importNotes(notesPath(ctx), Array.isArray(other.notes) ? other.notes : []);
  const items = (Array.isArray(other.learnings) ? other.learnings : [])
    .filter((l) => typeof l?.text === "string" && l.text.trim())
    .map((l) => ({
      text: l.text,
      ...(l.section ? { section: l.section } : {}),
      ...(l.from ? { from: l.from } : {}),
    }));
  const learnings = items.length ? (await addLearnings(memoryPath(ctx), ctx.project.slug, items)).added.length : 0;
  return { notes, learnings };
}
