/**
 * Plan files (`braid plan FILE`): the guide's "maximum parallelism architecture" as one TOML file.
 * A list of sessions with their tasks, owned paths and dependencies; validated for unknown keys,
 * dependency cycles and shared files, then grouped into waves (sessions whose dependencies are met
 * start together). Interface sessions (`interface = true`) come before every other session.
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { BraidError } from "../infra/errors.js";
import { SESSION_TYPES } from "../project/state.js";
import { parseTomlFile } from "../project/toml-file.js";
import { findCycle, waves } from "../swarm/graph.js";
import { overlappingOwners } from "../swarm/overlap.js";
import { validateSessionName } from "../worktree/names.js";

const sessionSchema = z.strictObject({
  name: z.string().min(1),
  task: z.string().min(1),
  type: z.enum(SESSION_TYPES).default("implementation"),
  mode: z.enum(["standard", "swarm"]).default("standard"),
  owns: z.array(z.string().min(1)).default([]),
  depends_on: z.array(z.string().min(1)).default([]),
  agent: z.string().min(1).optional(),
  /** Interface-first: every non-interface session waits until this one is merged. */
  interface: z.boolean().default(false),
  executors: z.number().int().min(1).max(32).optional(),
  architects: z.number().int().min(1).max(16).optional(),
  /** off | auto | on for this session's agents (default: the plan's, else config `sandbox`). */
  sandbox: z.enum(["off", "auto", "on"]).optional(),
  /** Run it on this host (braid host add), or "auto": the one with the most free slots (default: the plan's). */
  host: z.string().min(1).optional(),
});

const planSchema = z.strictObject({
  /** Optional base ref for new sessions. */
  base: z.string().min(1).optional(),
  /** off | auto | on for every session of the plan (default: config `sandbox`). */
  sandbox: z.enum(["off", "auto", "on"]).optional(),
  /** A host for every session (default: none, they run here). */
  host: z.string().min(1).optional(),
  session: z.array(sessionSchema).min(1, "a plan needs at least one [[session]]"),
});

export type PlanSession = z.infer<typeof sessionSchema>;

export interface SessionPlan {
  file: string;
  base?: string;
  sandbox?: "off" | "auto" | "on";
  host?: string;
  sessions: PlanSession[];
  /** Effective dependencies (declared + interface sessions), by name. */
  deps: Record<string, string[]>;
  /** Session names per wave, in file order. */
  waves: string[][];
  warnings: string[];
}

function readPlanText(file: string): unknown {
  if (!existsSync(file)) throw new BraidError(`plan file not found: ${file}`, "pass the path of a .toml plan file");
  return parseTomlFile(file, "plan", "fix the syntax (see docs/plan.md)");
}

function schemaError(file: string, err: z.ZodError): BraidError {
  const issue = err.issues[0];
  const where = (path: PropertyKey[]) =>
    path.map((p, i) => (typeof p === "number" ? `[${p + 1}]` : `${i ? "." : ""}${String(p)}`)).join("");
  if (issue?.code === "unrecognized_keys") {
    const at = issue.path.length ? `${where(issue.path)}.` : "";
    return new BraidError(
      `plan ${file}: unknown key "${at}${issue.keys[0]}"`,
      "remove it; plan keys: base, sandbox, host, session; session keys: name, task, type, mode, owns, depends_on, agent, interface, executors, architects, sandbox, host",
    );
  }
  return new BraidError(
    `plan ${file}: bad value for "${issue ? where(issue.path) || "(plan)" : "(plan)"}": ${issue?.message ?? "invalid"}`,
    "see docs/plan.md for the format",
  );
}

/** Parse and validate a plan file; errors are one-line BraidErrors, soft problems come back as warnings. */
export function loadPlan(file: string, limits: { maxCodeSessions: number; recommendedMax?: number }): SessionPlan {
  const r = planSchema.safeParse(readPlanText(file));
  if (!r.success) throw schemaError(file, r.error);
  const sessions = r.data.session;
  const names = new Set<string>();
  for (const s of sessions) {
    validateSessionName(s.name);
    if (names.has(s.name))
      throw new BraidError(`plan ${file}: session "${s.name}" is listed twice`, "give each session its own name");
    names.add(s.name);
  }
  for (const s of sessions) {
    const host = s.host ?? r.data.host;
    if (!host) continue;
    if (host !== "auto" && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(host))
      throw new BraidError(
        `plan ${file}: session "${s.name}" has a bad host "${host}"`,
        "name a host of braid host ls, or auto",
      );
    if (s.mode === "swarm")
      throw new BraidError(
        `plan ${file}: session "${s.name}" is a swarm on host ${host}: swarms run here only`,
        "swarms run on this machine: give the host to the other sessions instead",
      );
  }
  const interfaces = sessions.filter((s) => s.interface).map((s) => s.name);
  const deps: Record<string, string[]> = {};
  for (const s of sessions) {
    for (const d of s.depends_on) {
      if (!names.has(d)) {
        throw new BraidError(
          `plan ${file}: session "${s.name}" depends on "${d}", which the plan does not list`,
          `add a [[session]] named "${d}" or remove it from depends_on`,
        );
      }
    }
    deps[s.name] = [...new Set([...s.depends_on, ...(s.interface ? [] : interfaces)])];
  }
  const cycle = findCycle(new Map(Object.entries(deps)));
  if (cycle) {
    throw new BraidError(
      `plan ${file}: dependency cycle ${cycle.join(" -> ")}`,
      "remove one of those depends_on entries (or an interface flag)",
    );
  }
  const code = sessions.filter((s) => s.type === "implementation");
  const overlaps = overlappingOwners(code.map((s) => ({ name: s.name, owns: s.owns })));
  if (overlaps.length) {
    const o = overlaps[0] as (typeof overlaps)[number];
    throw new BraidError(
      `plan ${file}: sessions "${o.a}" and "${o.b}" both own ${o.pathA === o.pathB ? o.pathA : `${o.pathA} / ${o.pathB}`}`,
      'give each implementation session its own files (the guide\'s "no shared files")',
    );
  }
  const grouped = waves(new Map(Object.entries(deps)));
  const warnings: string[] = [];
  for (const s of code)
    if (s.owns.length === 0) warnings.push(`session "${s.name}" declares no owned paths: overlaps cannot be checked`);
  const byName = new Map(sessions.map((s) => [s.name, s]));
  for (const [i, w] of grouped.entries()) {
    const n = w.filter((name) => byName.get(name)?.type === "implementation").length;
    if (n > limits.maxCodeSessions) {
      warnings.push(
        `wave ${i + 1} has ${n} implementation sessions but max_code_sessions is ${limits.maxCodeSessions}: the rest queue`,
      );
    }
  }
  if (limits.recommendedMax !== undefined && code.length > limits.recommendedMax) {
    warnings.push(
      `${code.length} implementation sessions exceed the recommendation of ${limits.recommendedMax} for this repository (braid recommend): expect more merge conflicts`,
    );
  }
  return {
    file,
    ...(r.data.base ? { base: r.data.base } : {}),
    ...(r.data.sandbox ? { sandbox: r.data.sandbox } : {}),
    ...(r.data.host ? { host: r.data.host } : {}),
    sessions,
    deps,
    waves: grouped,
    warnings,
  };
}
