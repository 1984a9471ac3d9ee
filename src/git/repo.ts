/**
 * A git repository (or one of its worktrees) with named operations: the place git argument lists are written,
 * so code outside src/git says what it wants (`repo.isAncestor(a, b)`) rather than how git spells it. Every
 * operation runs git through git.ts (argument arrays, never a shell). Questions that may fairly fail
 * ("is this a commit?") answer null/false; anything else rejects with git's own message.
 */
import { type GitOptions, type GitResult, git, gitOut, gitTry } from "./git.js";
import { retryConcurrentAdd } from "./worktree-add-race.js";
import { type GitWorktree, listWorktrees } from "./worktrees.js";

export interface RefTip {
  /** Full ref name (refs/heads/…). */
  ref: string;
  /** The commit it points at. */
  tip: string;
}

const ZERO = "0000000000000000000000000000000000000000";

export class Repo {
  /** `env`: extra environment for every git call (e.g. a sample repo's author identity). */
  constructor(
    readonly cwd: string,
    private readonly env?: Record<string, string | undefined>,
  ) {}

  /** Create a repository at `dir` whose first branch is `branch`. */
  static async init(dir: string, branch: string, env?: Record<string, string | undefined>): Promise<Repo> {
    const repo = new Repo(dir, env);
    await git(["init", "-q", "-b", branch], repo.opts());
    return repo;
  }

  private opts(extra: Omit<GitOptions, "cwd" | "env"> = {}): GitOptions {
    return { cwd: this.cwd, ...(this.env ? { env: this.env } : {}), ...extra };
  }

  // --- objects and revisions

  /** Commit id a revision names, or null if it names no commit. */
  resolveCommit(rev: string): Promise<string | null> {
    return gitTry(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], this.opts());
  }

  /** The object a revision names; rejects when it names none. */
  revParse(rev: string): Promise<string> {
    return gitOut(["rev-parse", rev], this.opts());
  }

  /** Tree id of a revision, or null if it has none. */
  treeOf(rev: string): Promise<string | null> {
    return gitTry(["rev-parse", `${rev}^{tree}`], this.opts());
  }

  /** Is `commit` contained in `base`? (An unknown commit is not.) */
  async isAncestor(commit: string, base: string): Promise<boolean> {
    return (await git(["merge-base", "--is-ancestor", commit, base], this.opts({ okCodes: [0, 1, 128] }))).code === 0;
  }

  /** How many commits `tip` has that none of `exclude` reaches (refs, commits, or --branches/--tags/--remotes). */
  async countCommits(tip: string, exclude: string[]): Promise<number> {
    return Number(await gitOut(["rev-list", "--count", tip, "--not", ...exclude], this.opts()));
  }

  /** How far `head` is ahead of and behind `base` (commits only one side has); null when git cannot say. */
  async aheadBehind(base: string, head: string): Promise<{ ahead: number; behind: number } | null> {
    const out = await gitTry(["rev-list", "--left-right", "--count", `${base}...${head}`], this.opts());
    if (!out) return null;
    const [behind, ahead] = out.split(/\s+/).map(Number) as [number, number];
    return { ahead, behind };
  }

  /** Commits on `tip` reachable from no branch, tag or remote (work only a detached HEAD holds). */
  countUnreachable(tip: string): Promise<number> {
    return this.countCommits(tip, ["--branches", "--tags", "--remotes"]);
  }

  // --- refs

  /** Every ref under `prefix` ("refs/heads/x/") with its commit. */
  async refsUnder(prefix: string): Promise<RefTip[]> {
    const out = await gitOut(["for-each-ref", "--format=%(objectname) %(refname)", prefix], this.opts());
    return out
      .split("\n")
      .filter(Boolean)
      .map((l) => ({ tip: l.slice(0, l.indexOf(" ")), ref: l.slice(l.indexOf(" ") + 1) }))
      .filter((r) => r.ref.startsWith(prefix));
  }

  /** The commit a branch's upstream points at, or null without one. */
  upstreamOf(branch: string): Promise<string | null> {
    return gitTry(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}@{upstream}`], this.opts());
  }

  /** The object `ref` names (`rev-parse --verify --quiet`), or null when it names none. */
  refTip(ref: string): Promise<string | null> {
    return gitTry(["rev-parse", "--verify", "--quiet", ref], this.opts());
  }

  /** Delete `ref` (already gone: nothing happens); `evenOnError` swallows git's failure too (exit 128). */
  async deleteRef(ref: string, o: { evenOnError?: boolean } = {}): Promise<void> {
    await git(["update-ref", "-d", ref], this.opts({ okCodes: o.evenOnError ? [0, 1, 128] : [0, 1] }));
  }

  /** Create `ref` at `commit`; rejects when it already exists. */
  async createRef(ref: string, commit: string): Promise<void> {
    await git(["update-ref", ref, commit, ZERO], this.opts());
  }

  /**
   * Move `ref` to `to` only if it still points at `expected` (null: only if it does not exist), compare-and-swap;
   * `reason` goes to the reflog. Returns whether it moved.
   */
  async moveRef(ref: string, to: string, expected: string | null, o: { reason?: string } = {}): Promise<boolean> {
    const args = ["update-ref", ...(o.reason !== undefined ? ["-m", o.reason] : []), ref, to, expected ?? ZERO];
    return (await git(args, this.opts({ okCodes: [0, 1, 128] }))).code === 0;
  }

  /** Short names of the branches `commit` contains (one a line). */
  branchesMergedInto(commit: string): Promise<string> {
    return gitOut(["for-each-ref", `--merged=${commit}`, "--format=%(refname:lstrip=2)", "refs/heads/"], this.opts());
  }

  /** The first ref (full name) whose history contains `commit`: "" when none does, null when git cannot say. */
  async firstRefContaining(commit: string): Promise<string | null> {
    return gitTry(["for-each-ref", "--count=1", "--format=%(refname)", `--contains=${commit}`], this.opts());
  }

  /** Point `ref` at `commit` (creating it). */
  async setRef(ref: string, commit: string): Promise<void> {
    await git(["update-ref", ref, commit], this.opts());
  }

  /**
   * Delete a ref only if it still points at `expected` (compare-and-swap): a commit made meanwhile keeps it.
   * Returns whether it was deleted.
   */
  async deleteRefAt(ref: string, expected: string): Promise<boolean> {
    return (await git(["update-ref", "-d", ref, expected], this.opts({ okCodes: [0, 1, 128] }))).code === 0;
  }

  /** Delete refs each only at its expected commit, all or none (one transaction). Returns whether it applied. */
  async deleteRefsAt(refs: RefTip[]): Promise<boolean> {
    const input = refs.map((r) => `delete ${r.ref} ${r.tip}\n`).join("");
    return (await git(["update-ref", "--stdin"], this.opts({ input, okCodes: [0, 128] }))).code === 0;
  }

  /**
   * The best common ancestor of two revisions, or null when they share none (or one is unknown). Read without
   * optional locks unless `noOptionalLocks: false`.
   */
  mergeBase(a: string, b: string, o: { noOptionalLocks?: boolean } = {}): Promise<string | null> {
    return gitTry(["merge-base", a, b], this.opts({ noOptionalLocks: o.noOptionalLocks ?? true }));
  }

  /** Do two revisions' contents differ? (`git diff --quiet`; any failure counts as differing.) */
  async differ(a: string, b: string): Promise<boolean> {
    return (await gitTry(["diff", "--quiet", a, b], this.opts())) === null;
  }

  /** One line per commit in `range` ("a..b"), oldest first: "<short id> <subject>". Null when git cannot say. */
  async onelineLog(range: string): Promise<string[] | null> {
    const out = await gitTry(["log", "--reverse", "--format=%h %s", range], this.opts({ noOptionalLocks: true }));
    return out === null ? null : out.split("\n").filter(Boolean);
  }

  // --- config

  /** A config value as git reads it here, or null when unset. */
  getConfig(key: string): Promise<string | null> {
    return gitTry(["config", "--get", key], this.opts());
  }

  /** Set a config value in the repository's config, or (`worktree`) in this worktree's own. */
  async setConfig(key: string, value: string, o: { worktree?: boolean } = {}): Promise<void> {
    await git(["config", ...(o.worktree ? ["--worktree"] : []), key, value], this.opts());
  }

  /** Unset a config value of this worktree's own config (unset already: nothing happens). */
  async unsetWorktreeConfig(key: string): Promise<void> {
    await git(["config", "--worktree", "--unset", key], this.opts({ okCodes: [0, 5] }));
  }

  // --- working tree

  /** Anything uncommitted here (tracked or untracked, not ignored)? Read without taking the index lock. */
  async isDirty(): Promise<boolean> {
    const out = await gitOut(["status", "--porcelain", "--untracked-files=all"], this.opts({ noOptionalLocks: true }));
    return out !== "";
  }

  /**
   * The session figures' raw git answers, read without optional locks (null when git cannot say): commits
   * `base...HEAD` (left-right count), the working tree against merge-base(base, HEAD) (`--numstat -z`), and
   * untracked, not ignored files (-z).
   */
  figures(base: string): Promise<[counts: string | null, numstat: string | null, untracked: string | null]> {
    const o = this.opts({ noOptionalLocks: true });
    return Promise.all([
      gitTry(["rev-list", "--left-right", "--count", `${base}...HEAD`], o),
      // --merge-base: working tree against merge-base(base, HEAD), i.e. everything this session changed.
      gitTry(["diff", "--numstat", "-z", "--no-renames", "--merge-base", base], o),
      gitTry(["ls-files", "--others", "--exclude-standard", "-z"], o),
    ]);
  }

  /** Changed entries (tracked or untracked, not ignored), read without taking the index lock. */
  async uncommittedCount(): Promise<number> {
    const out = await gitOut(
      ["status", "--porcelain=v1", "-z", "--untracked-files=all"],
      this.opts({ noOptionalLocks: true }),
    );
    return out.split("\0").filter((e) => e.length > 3 && e[2] === " ").length;
  }

  /** Untracked, ignored entries (ignored directories as one "dir/" entry), read without the index lock. */
  async ignoredUntracked(): Promise<string[]> {
    const out = await gitOut(
      ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"],
      this.opts({ noOptionalLocks: true }),
    );
    return out.split("\0").filter(Boolean);
  }

  /** Tracked paths, read without the index lock. */
  async trackedFiles(): Promise<string[]> {
    const out = await gitOut(["ls-files", "-z"], this.opts({ noOptionalLocks: true }));
    return out === "" ? [] : out.split("\0").filter(Boolean);
  }

  /** Does git ignore `rel` (a path relative to this worktree)? Read without the index lock. */
  async isIgnored(rel: string): Promise<boolean> {
    return (await gitTry(["check-ignore", "-q", "--", rel], this.opts({ noOptionalLocks: true }))) !== null;
  }

  /** The `submodule.<name>.path` lines of this worktree's .gitmodules, or null when git cannot read any. */
  gitmodulesPaths(): Promise<string | null> {
    return gitTry(["config", "--file", ".gitmodules", "--get-regexp", "^submodule\\..*\\.path$"], this.opts());
  }

  /** `git submodule update --recursive`; the result (code 0/1/128) says whether it worked. */
  updateSubmodules(): Promise<GitResult> {
    return git(["submodule", "update", "--recursive"], this.opts({ okCodes: [0, 1, 128] }));
  }

  // --- remotes

  /** Names of the configured remotes. */
  async remotes(): Promise<string[]> {
    return (await gitOut(["remote"], this.opts())).split("\n").filter(Boolean);
  }

  /** Fetch from `remote` (only `ref` when given). */
  async fetch(remote: string, ref?: string): Promise<void> {
    await git(["fetch", "--quiet", remote, ...(ref ? [ref] : [])], this.opts());
  }

  /** `git status --porcelain=v1 -z --untracked-files=all --no-renames`, read without optional locks. */
  statusZ(): Promise<string> {
    return gitOut(
      ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"],
      this.opts({ noOptionalLocks: true }),
    );
  }

  /** Force-push `commit` to `ref` at `url` (no hooks). */
  async forcePush(url: string, commit: string, ref: string): Promise<void> {
    await git(["push", "--quiet", "--no-verify", url, `+${commit}:${ref}`], this.opts());
  }

  /** Fetch `refspecs` (src:dst, forced) from `url`, without tags or FETCH_HEAD. */
  async fetchForced(url: string, refspecs: ReadonlyArray<readonly [src: string, dst: string]>): Promise<void> {
    await git(
      ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", url, ...refspecs.map(([s, d]) => `+${s}:${d}`)],
      this.opts(),
    );
  }

  // --- worktrees

  worktrees(): Promise<GitWorktree[]> {
    return listWorktrees(this.cwd);
  }

  /** `git worktree list --porcelain`, as git prints it. */
  async worktreeListPorcelain(): Promise<string> {
    return (await git(["worktree", "list", "--porcelain"], this.opts())).stdout;
  }

  /** Forget worktrees whose directories are gone. */
  async pruneWorktrees(): Promise<void> {
    await git(["worktree", "prune"], this.opts());
  }

  /** Unlock a worktree. */
  async unlockWorktree(path: string): Promise<void> {
    await git(["worktree", "unlock", path], this.opts());
  }

  /** Let git mend the links between the repository and its worktrees (all, or the ones at `paths`). */
  async repairWorktrees(paths: string[] = []): Promise<void> {
    await git(["worktree", "repair", ...paths], this.opts());
  }

  /** Add a worktree at `path` on an existing `branch` without checking out files (its index is empty). */
  async addWorktreeNoCheckout(path: string, branch: string): Promise<void> {
    await git(["worktree", "add", "--no-checkout", "--quiet", path, branch], this.opts());
  }

  /**
   * Two-way `read-tree -m -u old new` (what `git checkout` does to move a checkout); `dryRun` (-n) only checks.
   * The result's code says whether it worked (0) or not (128).
   */
  tryReadTree(oldTree: string, newTree: string, o: { dryRun?: boolean } = {}): Promise<GitResult> {
    return git(
      ["read-tree", "-m", "-u", ...(o.dryRun ? ["-n"] : []), oldTree, newTree],
      this.opts({ okCodes: [0, 128] }),
    );
  }

  /** Reset this worktree's index to HEAD, leaving its files alone. */
  async resetIndex(): Promise<void> {
    await git(["reset", "--quiet", "--mixed"], this.opts());
  }

  /** This worktree's own git dir (absolute), or null when git cannot say. */
  gitDir(): Promise<string | null> {
    return gitTry(["rev-parse", "--path-format=absolute", "--git-dir"], this.opts());
  }

  /** The repository's common dir (absolute), or null when git cannot say. */
  commonDir(): Promise<string | null> {
    return gitTry(["rev-parse", "--path-format=absolute", "--git-common-dir"], this.opts());
  }

  /**
   * Remove a worktree and its files, changes and all (braid checked first); `evenIfLocked` skips git's lock
   * check too. False when git refused.
   */
  async removeWorktree(path: string, o: { evenIfLocked?: boolean } = {}): Promise<boolean> {
    const force = o.evenIfLocked ? ["--force", "--force"] : ["--force"];
    return (await gitTry(["worktree", "remove", ...force, path], this.opts())) !== null;
  }

  /**
   * Check out `branch` into a new worktree at `path` with `workers` parallel checkout workers; `from` creates
   * the branch there first (without tracking).
   */
  async checkoutWorktree(path: string, branch: string, o: { workers: number | string; from?: string }): Promise<void> {
    const args = ["-c", `checkout.workers=${o.workers}`, "worktree", "add", "--quiet"];
    if (o.from === undefined) args.push(path, branch);
    else args.push("--no-track", "-b", branch, path, o.from);
    await git(args, this.opts());
  }

  /**
   * Move this worktree's detached HEAD to `commit` the way `git checkout` does: only files that differ are
   * rewritten, and git refuses (false) rather than overwrite a local change.
   */
  async checkoutDetached(commit: string, o: { checkoutWorkers?: number } = {}): Promise<boolean> {
    const workers = o.checkoutWorkers === undefined ? [] : ["-c", `checkout.workers=${o.checkoutWorkers}`];
    return (await gitTry([...workers, "checkout", "--quiet", "--detach", commit], this.opts())) !== null;
  }

  /**
   * Add a worktree at `path` with a detached HEAD at `commit` (`checkoutWorkers`: git's checkout.workers). Another
   * add half done meanwhile is waited out (worktree-add-race.ts): what the failed try made at `path` is removed.
   */
  async addDetachedWorktree(path: string, commit: string, o: { checkoutWorkers?: number } = {}): Promise<void> {
    const workers = o.checkoutWorkers === undefined ? [] : ["-c", `checkout.workers=${o.checkoutWorkers}`];
    await retryConcurrentAdd(
      async () => {
        await git([...workers, "worktree", "add", "--quiet", "--detach", path, commit], this.opts());
      },
      async () => {
        await this.removeWorktree(path, { evenIfLocked: true });
        await this.pruneWorktrees().catch(() => undefined);
      },
    );
  }

  /** Move the worktree at `from` to `to` (a rename: same file system; git refuses for one with submodules). */
  async moveWorktree(from: string, to: string): Promise<void> {
    await git(["worktree", "move", from, to], this.opts());
  }

  /**
   * Put this worktree (detached) on the new branch `branch` at `commit`, which its HEAD already is: a new ref
   * (compare-and-swap: only if absent) and HEAD pointed at it. No file is touched, so the index stays valid.
   */
  async attachNewBranch(branch: string, commit: string): Promise<void> {
    const ref = `refs/heads/${branch}`;
    // At once: HEAD may name the branch a moment before it exists (an unborn branch, in a worktree nobody uses yet).
    await Promise.all([
      git(["update-ref", "-m", `branch: Created from ${commit}`, ref, commit, ZERO], this.opts()),
      git(["symbolic-ref", "-m", `checkout: moving from ${commit} to ${branch}`, "HEAD", ref], this.opts()),
    ]);
  }

  /**
   * Move this detached worktree to `commit` by delta (`git checkout --detach`: a two-way merge that refuses
   * to overwrite local changes); false when git refused.
   */
  async moveDetached(commit: string, o: { workers?: number } = {}): Promise<boolean> {
    const workers = o.workers === undefined ? [] : ["-c", `checkout.workers=${o.workers}`];
    return (await gitTry([...workers, "checkout", "--quiet", "--detach", commit], this.opts())) !== null;
  }

  /** Changed entries of any kind, ignored files left out, untracked ones listed (spare worktrees: must be none). */
  async statusEntries(): Promise<string[] | null> {
    const out = await gitTry(["status", "--porcelain", "--untracked-files=all"], this.opts({ noOptionalLocks: true }));
    return out === null ? null : out.split("\n").filter(Boolean);
  }

  /** Add a worktree at `path` on a new branch `branch` starting at `from`. */
  async addWorktree(path: string, branch: string, from: string): Promise<void> {
    await git(["worktree", "add", "--quiet", "-b", branch, path, from], this.opts());
  }

  // --- this worktree's commits

  /** The commit checked out here. */
  head(): Promise<string> {
    return gitOut(["rev-parse", "HEAD"], this.opts());
  }

  /** Stage every change (new, modified, deleted files). */
  async stageAll(): Promise<void> {
    await git(["add", "-A"], this.opts());
  }

  /** Commit what is staged; `noVerify` skips the repository's commit hooks. */
  async commit(message: string, o: { noVerify?: boolean } = {}): Promise<void> {
    await git(["commit", "--quiet", ...(o.noVerify ? ["--no-verify"] : []), "-m", message], this.opts());
  }

  /** Is anything staged? */
  async hasStaged(): Promise<boolean> {
    return (await git(["diff", "--cached", "--quiet"], this.opts({ okCodes: [0, 1] }))).code !== 0;
  }

  /** Commit what is staged (no hooks); the result (code 0/1/128) says whether it worked. */
  tryCommitStaged(message: string): Promise<GitResult> {
    return git(["commit", "--quiet", "--no-verify", "-m", message], this.opts({ okCodes: [0, 1, 128] }));
  }

  /** Commit what is staged with `message` (through stdin) as `author` ("Name <email>"); code 0/1/128. */
  tryCommitAs(message: string, author: string): Promise<GitResult> {
    return git(
      ["commit", "--quiet", "-F", "-", `--author=${author}`],
      this.opts({ input: message, okCodes: [0, 1, 128] }),
    );
  }

  /** Stage everything and commit it (no hooks); false when there was nothing to commit. */
  async commitAll(message: string): Promise<boolean> {
    await this.stageAll();
    if (!(await this.hasStaged())) return false;
    await this.commit(message, { noVerify: true });
    return true;
  }

  /** Paths changed between two revisions. */
  async changedFiles(from: string, to = "HEAD"): Promise<string[]> {
    return (await gitOut(["diff", "--name-only", "-z", from, to], this.opts())).split("\0").filter(Boolean);
  }

  /** Paths changed between two revisions, one a line (`diff --name-only`). */
  async diffNames(from: string, to: string): Promise<string[]> {
    return (await gitOut(["diff", "--name-only", from, to], this.opts())).split("\n").filter(Boolean);
  }

  /** Paths changed between two revisions, renames as delete + add. */
  async changedFilesNoRenames(from: string, to: string): Promise<string[]> {
    return (await gitOut(["diff", "--name-only", "--no-renames", "-z", from, to], this.opts()))
      .split("\0")
      .filter(Boolean);
  }

  /** `git diff --stat` between two revisions. */
  diffStat(from: string, to = "HEAD"): Promise<string> {
    return gitOut(["diff", "--stat", from, to], this.opts());
  }

  /** `git diff --stat --patch --color=always` between two revisions, read without optional locks. */
  colorDiff(from: string, to: string): Promise<string> {
    return gitOut(["diff", "--stat", "--patch", "--color=always", from, to], this.opts({ noOptionalLocks: true }));
  }

  /** The patch between two revisions. */
  diffText(from: string, to = "HEAD"): Promise<string> {
    return gitOut(["diff", from, to], this.opts());
  }

  /** Merge `branch` into the checked-out branch with a merge commit; on conflict the merge is left in progress. */
  async mergeNoFf(branch: string, message: string): Promise<{ ok: boolean; output: string }> {
    const r = await git(["merge", "--no-ff", "--no-edit", "-m", message, branch], this.opts({ okCodes: [0, 1] }));
    return { ok: r.code === 0, output: r.stderr || r.stdout };
  }

  /**
   * Merge `tip` into `current` without a worktree (`merge-tree --write-tree --no-messages -z --name-only`);
   * the result's code says clean (0), conflicted (1) or failed (128).
   */
  mergeTreeNames(current: string, tip: string): Promise<GitResult> {
    return git(
      ["merge-tree", "--write-tree", "--no-messages", "-z", "--name-only", current, tip],
      this.opts({ okCodes: [0, 1, 128] }),
    );
  }

  /** Write a commit of `tree` with these parents; returns its id. */
  commitTree(tree: string, parents: string[], message: string): Promise<string> {
    return gitOut(["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-m", message], this.opts());
  }

  /** `merge --no-ff` of `tip` with `message`; the result (code 0/1/128) says whether it worked. */
  tryMergeCommit(tip: string, message: string): Promise<GitResult> {
    return git(["merge", "--no-ff", "--no-edit", "-m", message, tip], this.opts({ okCodes: [0, 1, 128] }));
  }

  /** `merge --squash` of `tip` (staged, not committed); the result (code 0/1/128) says whether it worked. */
  tryMergeSquash(tip: string): Promise<GitResult> {
    return git(["merge", "--squash", tip], this.opts({ okCodes: [0, 1, 128] }));
  }

  /** `rebase --onto onto upstream tip`; the result (code 0/1/128) says whether it worked. */
  tryRebaseOnto(onto: string, upstream: string, tip: string): Promise<GitResult> {
    return git(["rebase", "--quiet", "--onto", onto, upstream, tip], this.opts({ okCodes: [0, 1, 128] }));
  }

  /** Paths with unresolved conflicts (`diff --diff-filter=U`); rejects when git cannot say. */
  async unmergedFiles(): Promise<string[]> {
    return (await gitOut(["diff", "--name-only", "--diff-filter=U", "-z"], this.opts())).split("\0").filter(Boolean);
  }

  /** Files with unresolved conflicts (an empty list when git cannot say). */
  async conflictedFiles(): Promise<string[]> {
    const out = (await gitTry(["diff", "--name-only", "--diff-filter=U"], this.opts())) ?? "";
    return out.split("\n").filter(Boolean);
  }

  /** Abandon a merge in progress (none in progress: nothing happens). */
  async abortMerge(): Promise<void> {
    await gitTry(["merge", "--abort"], this.opts());
  }
}
