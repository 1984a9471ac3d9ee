/**
 * What a session's programs see about its ports and its configured `env`: the agent, setup and teardown
 * commands, services (and `braid shell` once it exists) all get the same variables from here.
 *   BRAID_SLOT, BRAID_PORT (the first port), BRAID_PORT_1 … BRAID_PORT_<N−1> (first + i), PORT
 * Templates `{slot}`, `{port}`, `{port1}` …, `{name}`, `{branch}`, `{path}`, `{main}` fill `env` values,
 * service commands/cwd/env/ready.
 */

import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import { fillTemplate } from "../project/template.js";
import { repoKeyUntrusted } from "../project/trust-keys.js";
import { ensurePorts, type PortBlock } from "./ports.js";

function portEnv(block: PortBlock | null): Record<string, string> {
  if (!block || block.ports.length === 0) return {};
  const [first] = block.ports as [number];
  const env: Record<string, string> = {
    BRAID_SLOT: String(block.slot),
    BRAID_PORT: String(first),
    PORT: String(first),
  };
  block.ports.forEach((p, i) => {
    if (i > 0) env[`BRAID_PORT_${i}`] = String(p);
  });
  return env;
}

function templateValues(ctx: ProjectContext, rec: SessionRecord, block: PortBlock | null): Record<string, string> {
  const v: Record<string, string> = {
    name: rec.name,
    branch: rec.branch,
    path: rec.path,
    main: ctx.project.mainWorktree,
  };
  if (block) {
    v.slot = String(block.slot);
    block.ports.forEach((p, i) => {
      if (i === 0) v.port = String(p);
      v[`port${i}`] = String(p);
    });
  }
  return v;
}

/** Values safe to put into a shell command line: the session name (validated) and numbers. */
export function shellTemplates(values: Record<string, string>): Record<string, string> {
  const { branch: _b, path: _p, main: _m, ...safe } = values;
  return safe;
}

export interface SessionEnv {
  block: PortBlock | null;
  /** Port variables plus the configured `env` (templates filled), for every program of the session. */
  env: Record<string, string>;
  values: Record<string, string>;
  /** Set when the repository's `env` was left out because it is not trusted yet. */
  warning: string | null;
}

/** The session's port block (allocated if needed) and environment. */
export async function sessionEnv(ctx: ProjectContext, rec: SessionRecord): Promise<SessionEnv> {
  const block = await ensurePorts(ctx, rec.name);
  const values = templateValues(ctx, rec, block);
  const env = portEnv(block);
  let warning: string | null = null;
  if (await repoKeyUntrusted(ctx, "env"))
    warning = "left out the env values from braid.toml: not trusted yet — review them and run `braid trust`";
  for (const [k, v] of Object.entries(ctx.config.env)) env[k] = fillTemplate(v, values);
  return { block, env, values, warning };
}
