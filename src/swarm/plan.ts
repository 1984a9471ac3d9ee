/**
 * The planner's answer: subtasks grouped into batches. Validation is strict about what makes a
 * parallel run unsafe (two subtasks of one batch owning the same file, dependency cycles,
 * dependencies on a later or the same batch) and lenient about the rest (extra fields are ignored).
 */
import { z } from "zod";
import { findCycle } from "./graph.js";
import { normalizeOwned, overlappingOwners } from "./overlap.js";

export interface Subtask {
  id: string;
  title: string;
  instructions: string;
  /** Repo-relative files, directories or globs this subtask may change. */
  owns: string[];
  dependsOn: string[];
}

export interface SwarmPlan {
  batches: Subtask[][];
}

/** JSON schema the planner answers in (Claude: --json-schema). */
export const PLAN_JSON_SCHEMA = {
  type: "object",
  properties: {
    batches: {
      type: "array",
      minItems: 1,
      description: "Run in order; subtasks inside one batch run in parallel and must not share files.",
      items: {
        type: "object",
        properties: {
          subtasks: {
            type: "array",
            minItems: 1,
            items: {
              type: "object",
              properties: {
                id: { type: "string", description: "short unique id, e.g. t1" },
                title: { type: "string" },
                instructions: { type: "string" },
                owns: { type: "array", items: { type: "string" }, description: "repo-relative paths it may change" },
                depends_on: { type: "array", items: { type: "string" }, description: "ids from earlier batches" },
              },
              required: ["id", "title", "instructions", "owns"],
            },
          },
        },
        required: ["subtasks"],
      },
    },
  },
  required: ["batches"],
} as const;

const subtaskSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, "ids are 1-32 letters, digits, '-' or '_'"),
  title: z.string().min(1),
  instructions: z.string().min(1),
  owns: z.array(z.string().min(1)).min(1, "each subtask must own at least one path"),
  depends_on: z.array(z.string()).optional(),
});
const planSchema = z.object({ batches: z.array(z.object({ subtasks: z.array(subtaskSchema).min(1) })).min(1) });

export type PlanCheck = { ok: true; plan: SwarmPlan } | { ok: false; errors: string[] };

/** Validate a planner answer (already parsed JSON). Errors are short sentences a planner can act on. */
export function validatePlan(raw: unknown): PlanCheck {
  const r = planSchema.safeParse(raw);
  if (!r.success) {
    return {
      ok: false,
      errors: r.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(answer)"}: ${i.message}`),
    };
  }
  const errors: string[] = [];
  const batchOf = new Map<string, number>();
  const batches: Subtask[][] = r.data.batches.map((b, bi) =>
    b.subtasks.map((s) => {
      if (batchOf.has(s.id)) errors.push(`subtask id "${s.id}" is used twice`);
      batchOf.set(s.id, bi);
      return {
        id: s.id,
        title: s.title,
        instructions: s.instructions,
        owns: s.owns.map(normalizeOwned),
        dependsOn: s.depends_on ?? [],
      };
    }),
  );
  const deps = new Map<string, string[]>();
  for (const [bi, batch] of batches.entries()) {
    for (const o of overlappingOwners(batch.map((s) => ({ name: s.id, owns: s.owns })))) {
      errors.push(
        `batch ${bi + 1}: subtasks "${o.a}" and "${o.b}" both own ${o.pathA === o.pathB ? o.pathA : `${o.pathA} / ${o.pathB}`}`,
      );
    }
    for (const s of batch) {
      deps.set(s.id, s.dependsOn);
      for (const d of s.dependsOn) {
        const db = batchOf.get(d);
        if (db === undefined) errors.push(`subtask "${s.id}" depends on unknown subtask "${d}"`);
        else if (db >= bi && d !== s.id)
          errors.push(
            `subtask "${s.id}" (batch ${bi + 1}) depends on "${d}" of batch ${db + 1}: dependencies must be in earlier batches`,
          );
      }
    }
  }
  const cycle = findCycle(deps);
  if (cycle) errors.push(`dependency cycle: ${cycle.join(" -> ")}`);
  return errors.length ? { ok: false, errors } : { ok: true, plan: { batches } };
}

/** The fallback when the planner cannot produce a valid plan: one executor does the whole task. */
export function singleExecutorPlan(task: string): SwarmPlan {
  return {
    batches: [[{ id: "all", title: "whole task", instructions: task, owns: ["**"], dependsOn: [] }]],
  };
}
