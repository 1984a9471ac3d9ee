/**
 * braid's settings: defaults < global config ($XDG_CONFIG_HOME/braid/config.toml) < project `braid.toml`
 * at the root of the main worktree. Both files are TOML, validated by one schema: an unknown key or
 * a bad value is a one-line error naming the file and the key.
 */
import { z } from "zod";
import { BraidError } from "../infra/errors.js";
import { globalConfigPath } from "./paths.js";
import { projectConfigPath, readTomlFile } from "./toml-file.js";

/** A path or branch template: `{name}` is required (else every session gets the same one), only known placeholders. */
function templateSchema(fallback: string) {
  return z
    .string()
    .min(1)
    .refine((t) => t.includes("{name}"), "must contain {name} (else every session gets the same one)")
    .refine(
      (t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => m[1] === "name" || m[1] === "repo"),
      "only {name} and {repo} are filled in",
    )
    .default(fallback);
}

const agentSchema = z.strictObject({
  /** argv of the agent, e.g. ["codex"]; the prompt is appended as the last argument unless prompt_arg is set */
  command: z.array(z.string().min(1)).min(1),
});

/** `[services.NAME]`: a program braid runs beside each session's agent (see docs/ports.md). */
const serviceSchema = z.strictObject({
  /** argv, no shell; `{port}`, `{port1}`, `{slot}`, `{name}` … are filled in. */
  command: z.array(z.string().min(1)).min(1),
  /** Working directory relative to the worktree (default: the worktree). */
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** An http(s) URL answering < 500, or a TCP port accepting connections, that means "ready". */
  ready: z.union([z.string().min(1), z.number().int().min(1).max(65535)]).optional(),
  /** Seconds to wait for `ready` before the service is shown as not ready (it keeps running). */
  ready_timeout: z.number().int().min(1).max(3600).default(60),
  restart: z.enum(["no", "on-failure"]).default("no"),
});

export const configSchema = z.strictObject({
  /** Where new worktrees go, relative to the main worktree. {repo} and {name} are filled in. */
  worktree_path: templateSchema("../{repo}-{name}"),
  /** Branch name template for new sessions. */
  branch: templateSchema("feature/{name}"),
  /** Base branch sessions start from and merge back into. Default: the repo's default branch. */
  base: z.string().min(1).optional(),
  /** Fetch the base's upstream before creating a worktree. */
  fetch: z.boolean().default(false),
  /** git's parallel checkout workers for `git worktree add`. 0 = one per core. */
  checkout_workers: z.number().int().min(0).max(128).default(0),
  /** Large git-ignored directories to bring into new worktrees (e.g. node_modules). */
  copy: z.array(z.string().min(1)).default([]),
  /**
   * How `copy` directories are brought over. Never hardlinks: writes would reach the original. `overlay`: in a
   * sandboxed session an overlayfs over the main worktree's dir (sandbox/overlay.ts); unsandboxed, a copy.
   */
  copy_mode: z.enum(["copy", "symlink", "overlay"]).default("copy"),
  /**
   * Watch the sessions' worktrees (a `braid _watch` daemon, watch/daemon.ts) so `status`, `conflicts` and the boards
   * skip the `git status` pass over a worktree in which nothing changed.
   */
  watch: z.boolean().default(true),
  /** Spare worktrees kept checked out at the base tip and bootstrapped, so `new` takes one at once (worktree/pool.ts). */
  pool: z.number().int().min(0).max(32).default(0),
  /** Commands run in a new worktree after bootstrap (only once trusted with `braid trust`). */
  setup: z.array(z.string().min(1)).default([]),
  /** Ports per session (0 = off): each session owns ports port_base + slot·ports … + ports−1. */
  ports: z.number().int().min(0).max(64512).default(0),
  /** First port of slot 0. */
  port_base: z.number().int().min(1024).max(65535).default(20000),
  /** Extra environment for the agent, setup, teardown and services; values are templates ({port}, {slot}, {name} …). */
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"), z.string())
    .default({}),
  /** Programs run beside each session's agent, by name (trust-gated: they come from the repo). */
  services: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "service names use letters, digits, '_' and '-'"),
      serviceSchema,
    )
    .default({}),
  /** Commands run by rm/clean/finish in the worktree before it goes, e.g. to drop the session's database. */
  teardown: z.array(z.string().min(1)).default([]),
  /** At most this many implementation sessions run at once; the rest queue (the cascade). */
  max_code_sessions: z.number().int().min(1).max(64).default(4),
  /** Default agent: claude, codex, aider, gemini, or a name under [agents]. */
  agent: z.string().min(1).default("claude"),
  /** Custom agents by name. */
  agents: z.record(z.string(), agentSchema).default({}),
  /** Wraps the task text into the agent's first prompt; {task}, {name}, {type} are filled in. */
  prompt_template: z.string().min(1).default("{task}"),
  /**
   * Run agents in the bubblewrap sandbox (Linux): off, auto (where bubblewrap works), on (fail where it
   * does not). Research/review sessions can write nothing; implementation sessions only their worktree.
   */
  sandbox: z.enum(["off", "auto", "on"]).default("off"),
  /** Runner for new sessions. */
  runner: z.enum(["tmux", "headless"]).default("tmux"),
  /** tmux socket name (tmux -L); empty = the user's default server. Env BRAID_TMUX_SOCKET overrides. */
  tmux_socket: z.string().default(""),
  /** ssh config file braid passes to ssh (`-F`) and git for remote hosts; global config only (env BRAID_SSH_CONFIG). */
  ssh_config: z.string().default(""),
  /** Command that must pass on each merge step of the merge train. */
  verify: z.string().optional(),
  /** What the ownership hook does when an agent edits a file another session owns. */
  guard: z.enum(["warn", "deny"]).default("warn"),
  /** What agents may do without asking: ask (the agent's default), edits (in their worktree), full (sandbox only). */
  autonomy: z.enum(["ask", "edits", "full"]).default("edits"),
  /** Swarm mode: executor agents running at once, reviewer agents, and review rounds before giving up. */
  swarm_executors: z.number().int().min(1).max(32).default(4),
  swarm_architects: z.number().int().min(1).max(16).default(3),
  swarm_rounds: z.number().int().min(1).max(10).default(3),
  /** One-shot agent runs (swarm planner/executors/reviewers, plan sessions) are killed after this many seconds. */
  agent_timeout: z.number().int().min(10).default(1800),
  // trust-gated: the three notify keys below run a program or send data out; from a repo's braid.toml they
  // are ignored until trusted (src/notify/settings.ts; the generic gate of issue 13 should cover them).
  /** argv run on each notification, with BRAID_SESSION/STATE/DETAIL/PROJECT/URL set. */
  notify_command: z.array(z.string().min(1)).default([]),
  /** Desktop notifications through `notify-send` where it is installed. */
  notify_desktop: z.boolean().default(false),
  /** URL that gets an HTTP POST of a short text per notification (ntfy-style); empty = none. */
  notify_url: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).default(""),
  /** Which events notify. */
  notify_events: z
    .array(z.enum(["waiting", "idle", "done", "failed", "conflict"]))
    .default(["waiting", "idle", "done", "failed", "conflict"]),
  /** Token prices per model (USD per million tokens), overriding braid's table. */
  prices: z
    .record(
      z.string(),
      z.strictObject({
        input: z.number().min(0),
        output: z.number().min(0),
        cache_read: z.number().min(0).optional(),
        cache_write: z.number().min(0).optional(),
      }),
    )
    .default({}),
});

export type Config = z.infer<typeof configSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type ConfigKey = keyof Config;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];

export interface ConfigSources {
  config: Config;
  globalPath: string;
  projectPath: string;
}

/** Validate a partial config object; throws one line naming the file and key. */
export function validatePartial(data: Record<string, unknown>, source: string): Partial<Config> {
  const r = configSchema.partial().safeParse(data);
  if (r.success) {
    // zod applies defaults even under .partial(): keep only keys the file set, so a project file
    // never overrides a global setting with a default it did not write.
    const set = Object.fromEntries(Object.entries(r.data).filter(([k]) => k in data));
    return set as Partial<Config>;
  }
  // A misspelt key (`commnd`) also leaves a required one missing: name the misspelling, the real cause.
  const issue = r.error.issues.find((i) => i.code === "unrecognized_keys") ?? r.error.issues[0];
  if (!issue) throw new BraidError(`${source}: invalid config`);
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length ? `${issue.path.join(".")}.` : "";
    const key = `${where}${issue.keys[0]}`;
    throw new BraidError(`${source}: unknown key "${key}"`, `remove it; known keys: ${CONFIG_KEYS.join(", ")}`);
  }
  const key = issue.path.join(".") || "(root)";
  throw new BraidError(
    `${source}: bad value for "${key}": ${issue.message}`,
    `see \`braid config list\` for the expected form`,
  );
}

/** `ports` and `port_base` together must stay below 65536 (each alone is checked by the schema). */
export function checkPortRange(c: Pick<Config, "ports" | "port_base">, source: string): void {
  if (c.ports > 0 && c.port_base + c.ports - 1 > 65535)
    throw new BraidError(
      `${source}: ports = ${c.ports} does not fit above port_base = ${c.port_base} (the highest port is 65535)`,
      `lower ports or port_base (e.g. port_base = 20000)`,
    );
}

/**
 * The effective config for a project (mainWorktree) or, with no project, global + defaults only.
 * `omitProjectKeys`: leave these keys of the project file out (untrusted keys, see trust.ts).
 */
export function loadConfig(
  mainWorktree?: string,
  opts: { omitProjectKeys?: readonly string[] } = {},
): ConfigSources & { projectRaw: Record<string, unknown> } {
  const globalPath = globalConfigPath();
  const projectPath = mainWorktree ? projectConfigPath(mainWorktree) : "";
  const globalPart = validatePartial(readTomlFile(globalPath), globalPath);
  const projectRaw = projectPath ? readTomlFile(projectPath) : {};
  const projectPart = projectPath ? validatePartial(projectRaw, projectPath) : {};
  for (const k of opts.omitProjectKeys ?? []) delete (projectPart as Record<string, unknown>)[k];
  const config = configSchema.parse({ ...globalPart, ...projectPart });
  checkPortRange(config, projectPath && "ports" in projectPart ? projectPath : globalPath);
  return { config, globalPath, projectPath, projectRaw };
}

export { fillTemplate } from "./template.js";
