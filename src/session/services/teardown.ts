/**
 * The end of a session's life outside git, run by rm/clean/finish before the worktree goes: stop its
 * services (a dev server holding a database connection would block dropping it), then run the
 * `teardown` commands in the worktree with the same environment as `setup`. A failing command stops
 * the removal unless `force`; with `force` the failure is reported and the removal goes on.
 */
import { existsSync } from "node:fs";
import { BraidError } from "../../infra/errors.js";
import { sessionEnv, shellTemplates } from "../../ports/env.js";
import type { ProjectContext } from "../../project/context.js";
import type { SessionRecord } from "../../project/state.js";
import { repoKeyUntrusted } from "../../project/trust-keys.js";
import { runSetup } from "../../worktree/setup.js";
import { stopServices } from "./services.js";

export interface TeardownReport {
  /** Services that were still running and got stopped. */
  servicesStopped: string[];
  commands: number;
  ran: boolean;
  /** The failing command and how it failed (only with force: without it the removal stops). */
  failed: { command: string; how: string } | null;
  warnings: string[];
}

export async function teardownSession(
  ctx: ProjectContext,
  rec: SessionRecord,
  opts: { force?: boolean },
): Promise<TeardownReport> {
  const report: TeardownReport = { servicesStopped: [], commands: 0, ran: false, failed: null, warnings: [] };
  report.servicesStopped = await stopServices(ctx, rec.name);
  // An untrusted repository's teardown is already left out of the config: removing without it would leave
  // whatever it cleans up (a database) behind, so say so and refuse unless forced.
  if (await repoKeyUntrusted(ctx, "teardown")) {
    if (!opts.force)
      throw new BraidError(
        `the teardown commands in braid.toml are not trusted, so they cannot run before "${rec.name}" goes`,
        `review them and run \`braid trust\`, or pass --force to remove without them`,
      );
    report.warnings.push(
      `skipped the teardown commands from braid.toml: not trusted yet — review them, run \`braid trust\`, and run them yourself`,
    );
    return report;
  }
  const commands = ctx.config.teardown;
  report.commands = commands.length;
  if (commands.length === 0) return report;
  const cwd = existsSync(rec.path) ? rec.path : ctx.project.mainWorktree;
  if (cwd !== rec.path) report.warnings.push(`the worktree ${rec.path} is gone: ran teardown in ${cwd}`);
  const senv = await sessionEnv(ctx, rec);
  const failure = await runSetup(commands, {
    name: rec.name,
    branch: rec.branch,
    path: rec.path,
    mainWorktree: ctx.project.mainWorktree,
    cwd,
    extra: senv.env,
    templates: shellTemplates(senv.values),
  });
  report.ran = true;
  if (!failure) return report;
  const how = failure.signal ? `signal ${failure.signal}` : `exit ${failure.code}`;
  if (!opts.force)
    throw new BraidError(
      `teardown command \`${failure.command}\` of "${rec.name}" failed (${how}); nothing was removed`,
      `fix it and run \`braid rm ${rec.name}\` again, or pass --force to remove anyway`,
    );
  report.failed = { command: failure.command, how };
  report.warnings.push(`teardown command \`${failure.command}\` failed (${how}); removed anyway (--force)`);
  return report;
}
