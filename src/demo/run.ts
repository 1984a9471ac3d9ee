/**
 * `braid demo`: braid's main job on an embedded sample. Makes the demo world (env.ts), then plays the
 * story with the real braid commands, each a child process in the sample repo: three sessions run by
 * the scripted agent, status and the radar on their uncommitted work, the merge train landing two and
 * handing the third back, the clean-up. Reports every step as an event; the CLI renders them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { braidBin } from "../agents/claude.js";
import { which } from "../agents/which.js";
import { gitOut } from "../git/git.js";
import { Repo } from "../git/repo.js";
import { BraidError } from "../infra/errors.js";
import type { SessionView } from "../session/types.js";
import { type DemoWorld, makeWorld, processEnv, writeEnvFile } from "./env.js";
import { writeFiles } from "./files.js";
import { DEMO_SESSIONS, SAMPLE_FILES, SAMPLE_REPO, VERIFY } from "./sample.js";

export type DemoEvent =
  /** One line of narration: what the next commands show. */
  | { kind: "say"; text: string }
  /** A command that ran, as a user would type it, and what it printed. */
  | { kind: "command"; display: string; output: string; code: number; ms: number };

interface DemoOptions {
  keep: boolean;
  /** Let the commands colour their output. */
  color: boolean;
  onEvent: (e: DemoEvent) => void;
}

interface DemoResult {
  dir: string;
  repo: string;
  kept: boolean;
  /** With --keep: the file to source for a look around. */
  envFile: string | null;
  ms: number;
}

/** How long the agents may take to edit and to commit, and one command to run (generous: shared CI machines). */
const AGENT_WAIT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 120_000;

/** Quote an argument for display the way a user would type it: bare, "text", or 'glob*'. */
export function displayArg(a: string): string {
  if (/^[\w@%+=:,./-]+$/.test(a)) return a;
  if (/[*?[\]]/.test(a) && !a.includes("'")) return `'${a}'`;
  if (!/["$`\\!]/.test(a)) return `"${a}"`;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

interface Ran {
  output: string;
  code: number;
}

export class Demo {
  readonly world: DemoWorld;
  private readonly bin = braidBin();
  private disposed = false;
  private interrupted = false;
  /** The braid commands running now (the demo's own polling included), so an interrupt can end them. */
  private readonly running = new Set<ChildProcess>();

  constructor(private readonly o: DemoOptions) {
    this.world = makeWorld(o.color);
  }

  /** Remove the whole demo folder (worktrees, state, config): everything the demo made. */
  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    rmSync(this.world.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }

  /**
   * Ctrl-C: end the command running now; `run()` then stops the agents and removes the folder (unless
   * --keep) and rejects with an "interrupted" error.
   */
  interrupt(): void {
    this.interrupted = true;
    for (const child of this.running) child.kill("SIGTERM");
  }

  async run(): Promise<DemoResult> {
    const t0 = Date.now();
    try {
      await this.story();
    } catch (e) {
      if (!this.o.keep) {
        this.interrupted = false; // let the clean-up's own commands run
        await this.stopAll();
        this.dispose();
      }
      throw e;
    }
    let envFile: string | null = null;
    if (this.o.keep) {
      envFile = writeEnvFile(this.world, this.braidOnPath(), this.bin);
    } else {
      this.dispose();
    }
    return { dir: this.world.dir, repo: this.world.repo, kept: this.o.keep, envFile, ms: Date.now() - t0 };
  }

  /** True when `braid` on PATH is this braid (so the kept demo's hints can say `braid`). */
  private braidOnPath(): boolean {
    const found = which("braid");
    try {
      return found !== null && realpathSync(found) === realpathSync(this.bin);
    } catch {
      return false;
    }
  }

  private say(text: string): void {
    this.o.onEvent({ kind: "say", text });
  }

  private async story(): Promise<void> {
    const { repo } = this.world;
    await this.makeSample();
    this.say(
      `A sample repository, ${SAMPLE_REPO}: two areas (src/greet/, src/math/) and a test suite (${VERIFY}). ` +
        "The agent is braid's scripted demo agent: no API key, no network.",
    );

    this.say("Start three sessions: each gets its own worktree and branch, and its agent starts on the task.");
    for (const s of DEMO_SESSIONS) {
      await this.braid(["start", s.name, s.task, ...(s.owns ? ["--owns", s.owns] : [])]);
    }
    await this.waitForAgents("edit their files", () =>
      DEMO_SESSIONS.every((s) => existsSync(join(this.world.cues, `${s.name}.edited`))),
    );

    this.say("While the agents work, status shows every session in cascade order, with its uncommitted changes.");
    await this.braid(["status"]);

    this.say("The conflict radar checks every pair, uncommitted work included: shout rewrote the lines greet changed.");
    await this.braid(["conflicts"]);

    writeFileSync(join(this.world.cues, "commit"), "");
    await this.waitForAgents(
      "commit and finish",
      () => false,
      (views) => views.length === DEMO_SESSIONS.length && views.every((v) => v.state === "done"),
    );
    this.say("The agents commit their work and exit: every session is done, one commit ahead of main.");
    await this.braid(["status"]);

    this.say(
      `One merge train takes the done sessions in cascade order, running ${VERIFY} after each: greet and math land; shout collides with greet, so the train stops there and hands it back.`,
    );
    await this.braid(["merge", "--all-done", "--verify", VERIFY], [1]);

    this.say("Clean-up: the merged sessions go (worktree and branch); shout stays until its work is reconciled.");
    await this.braid(["clean", "--merged"]);

    this.say("main now holds both merges:");
    const log = ["log", "--oneline", "--first-parent", "main"];
    await this.run_("git", log, async () => ({
      output: await gitOut(log, { cwd: repo, env: this.world.env }),
      code: 0,
    }));
  }

  /** The sample repo: its files in one commit on main. */
  private async makeSample(): Promise<void> {
    const { repo, env } = this.world;
    writeFiles(repo, SAMPLE_FILES);
    const sample = await Repo.init(repo, "main", env);
    await sample.stageAll();
    await sample.commit("greeter: greet() and add(), with tests");
  }

  /** Run `braid ARGS` in the sample repo; a code outside `ok` ends the demo with the command's own words. */
  private braid(args: string[], ok = [0]): Promise<Ran> {
    return this.run_("braid", args, () => this.spawnBraid(args), ok);
  }

  private async run_(cmd: string, args: string[], exec: () => Promise<Ran>, ok = [0]): Promise<Ran> {
    const display = [cmd, ...args.map(displayArg)].join(" ");
    const t = Date.now();
    const r = await exec();
    this.checkInterrupt();
    this.o.onEvent({ kind: "command", display, output: r.output, code: r.code, ms: Date.now() - t });
    if (!ok.includes(r.code)) {
      const last = r.output.trim().split("\n").pop() ?? "";
      throw new BraidError(
        `demo step \`${display}\` exited ${r.code}${last ? `: ${last}` : ""}`,
        "run `braid demo --keep` to look at the demo repository, and please report it",
      );
    }
    return r;
  }

  private checkInterrupt(): void {
    if (this.interrupted)
      throw new BraidError(
        "demo interrupted",
        this.o.keep ? `what it made so far is in ${this.world.dir}` : "run `braid demo` again to see it all",
        130,
      );
  }

  private spawnBraid(args: string[]): Promise<Ran> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.bin, ...args], {
        cwd: this.world.repo,
        env: processEnv(this.world),
        stdio: ["ignore", "pipe", "pipe"],
      });
      this.running.add(child);
      const chunks: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => chunks.push(d));
      child.stderr.on("data", (d: Buffer) => chunks.push(d));
      const timer = setTimeout(() => child.kill("SIGKILL"), COMMAND_TIMEOUT_MS);
      child.on("error", (e) => {
        clearTimeout(timer);
        this.running.delete(child);
        reject(e);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        this.running.delete(child);
        resolve({ output: Buffer.concat(chunks).toString("utf8"), code: code ?? 128 });
      });
    });
  }

  /** The sessions as `braid status --json` sees them (not shown: the demo's own polling). */
  private async views(): Promise<SessionView[]> {
    const r = await this.spawnBraid(["status", "--json"]);
    if (r.code !== 0) return [];
    return (JSON.parse(r.output) as { sessions: SessionView[] }).sessions;
  }

  /**
   * Wait until the agents got somewhere: `cue` (checked often, cheaply), or `ready` as status sees them.
   * Status also runs in the background now and then, so a failed session ends the demo with its detail.
   */
  private async waitForAgents(
    what: string,
    cue: () => boolean,
    ready: (views: SessionView[]) => boolean = () => false,
  ): Promise<void> {
    const deadline = Date.now() + AGENT_WAIT_MS;
    let check: Promise<SessionView[]> | null = null;
    const seen: { views: SessionView[] | null; at: number } = { views: null, at: 0 };
    try {
      for (;;) {
        this.checkInterrupt();
        if (cue() || (seen.views && ready(seen.views))) return;
        const failed = seen.views?.find((v) => v.state === "failed");
        if (failed)
          throw new BraidError(
            `the demo agent of ${failed.name} failed${failed.detail ? `: ${failed.detail}` : ""}`,
            failed.logPath ? `see its log: ${failed.logPath}` : "run `braid demo --keep` to look",
          );
        if (Date.now() > deadline)
          throw new BraidError(
            `the demo agents did not ${what} within ${AGENT_WAIT_MS / 1000} s`,
            "the machine may be very busy: try again",
          );
        if (!check && Date.now() - seen.at > 500)
          check = this.views().then((v) => {
            seen.views = v;
            seen.at = Date.now();
            check = null;
            return v;
          });
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await check; // no status run may outlive the wait (the folder may be removed next)
    }
  }

  /** Stop whatever still runs (after a failed step), so removing the folder leaves no agent behind. */
  private async stopAll(): Promise<void> {
    if (!existsSync(this.world.repo)) return;
    for (const s of DEMO_SESSIONS) await this.spawnBraid(["stop", s.name]).catch(() => undefined);
  }
}
