/**
 * Batched git plumbing (for the radar): one process answers many questions, because on a busy machine
 * process start-up, not git's work, dominates (28 merges: ~38 ms batched vs ~660 ms as separate processes).
 */
import { git } from "./git.js";

/** Which of these object ids exist as commits (one `cat-file --batch-check`). */
export async function existingCommits(cwd: string, ids: string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const out = (
    await git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], { cwd, input: `${unique.join("\n")}\n` })
  ).stdout;
  const ok = new Set<string>();
  for (const line of out.split("\n")) {
    const [id, type] = line.split(" ");
    if (id && type === "commit") ok.add(id);
  }
  return ok;
}

/** Tree id of each commit (one `cat-file --batch-check` on `<id>^{tree}`); missing ones are left out. */
export async function treesOf(cwd: string, commits: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(commits)];
  const trees = new Map<string, string>();
  if (unique.length === 0) return trees;
  const input = unique.map((c) => `${c}^{tree}\n`).join("");
  const out = (await git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], { cwd, input })).stdout;
  out.split("\n").forEach((line, i) => {
    const [id, type] = line.split(" ");
    const c = unique[i];
    if (c && id && type === "tree") trees.set(c, id);
  });
  return trees;
}

/** What changed between two commits: the paths, and lines as `git diff --numstat` counts them (binary: none). */
export interface PairDiff {
  files: string[];
  added: number;
  removed: number;
}

/**
 * Changes from the first to the second commit of each pair (one `diff-tree --stdin --numstat`). Each input
 * line is "commit parent" (so: to, from); `--always` prints every line's header (its first id) even for an
 * empty diff, so the output can be split back per request in order.
 * Ids must be raw hex (diff-tree --stdin misreads `X^{tree}`).
 */
export async function diffBatch(cwd: string, pairs: Array<[from: string, to: string]>): Promise<PairDiff[]> {
  if (pairs.length === 0) return [];
  const input = pairs.map(([from, to]) => `${to} ${from}\n`).join("");
  const out = (await git(["diff-tree", "--stdin", "--always", "-r", "--numstat", "--no-renames", "-z"], { cwd, input }))
    .stdout;
  const result: PairDiff[] = pairs.map(() => ({ files: [], added: 0, removed: 0 }));
  let idx = -1;
  for (const tok of out.split("\0")) {
    if (tok === "") continue;
    const next = pairs[idx + 1];
    if (next && tok === next[1]) {
      idx++;
      continue;
    }
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(tok);
    const r = result[idx];
    if (!m || !r) continue;
    r.files.push(m[3] as string);
    if (m[1] !== "-") r.added += Number(m[1]);
    if (m[2] !== "-") r.removed += Number(m[2]);
  }
  return result;
}

export interface MergeCheck {
  clean: boolean;
  /** Paths with conflicts (empty when clean). */
  conflicts: string[];
  /** The merged tree git wrote (with conflict markers when not clean). */
  tree: string;
}

/**
 * Real three-way merges of many pairs in one `git merge-tree --write-tree --stdin` process.
 * Per merge the -z output is: status (1 clean, 0 conflict), tree, then for conflicts the conflicted
 * paths, an empty field, and informational messages (count, paths…, type, text) up to an empty field.
 * Callers must verify the ids first: a bad id kills the whole batch.
 */
export async function mergeTreeBatch(cwd: string, pairs: Array<[string, string]>): Promise<MergeCheck[]> {
  if (pairs.length === 0) return [];
  const input = pairs.map(([a, b]) => `${a} ${b}\n`).join("");
  const out = (await git(["merge-tree", "--write-tree", "--name-only", "-z", "--stdin"], { cwd, input })).stdout;
  const toks = out.split("\0");
  let i = 0;
  const results: MergeCheck[] = [];
  for (let n = 0; n < pairs.length; n++) {
    const status = toks[i++];
    const tree = toks[i++] ?? "";
    if (status === "1") {
      i++; // the empty field that ends this merge
      results.push({ clean: true, conflicts: [], tree });
      continue;
    }
    if (status !== "0") throw new Error(`unexpected merge-tree output near "${status}"`);
    const conflicts: string[] = [];
    while (i < toks.length && toks[i] !== "") conflicts.push(toks[i++] as string);
    i++; // end of the conflicted-path list
    while (i < toks.length && toks[i] !== "") {
      const count = Number(toks[i++]);
      i += count + 2; // paths, type, message
    }
    i++; // end of messages = end of this merge
    results.push({ clean: false, conflicts: [...new Set(conflicts)], tree });
  }
  return results;
}

/**
 * For each of `tips`, the other tips it contains (reaches), in one `rev-list --parents` over the commits
 * reachable from the tips but not from `exclude`: a tip that `exclude` contains is never listed as reached.
 */
export async function tipsReached(cwd: string, tips: string[], exclude: string): Promise<Map<string, Set<string>>> {
  const unique = [...new Set(tips)];
  const reached = new Map(unique.map((t) => [t, new Set<string>()]));
  if (unique.length < 2) return reached;
  const out = (await git(["rev-list", "--parents", "--stdin"], { cwd, input: `${unique.join("\n")}\n^${exclude}\n` }))
    .stdout;
  const parents = new Map<string, string[]>();
  for (const line of out.split("\n")) {
    const [id, ...ps] = line.split(" ");
    if (id) parents.set(id, ps);
  }
  const wanted = new Set(unique);
  for (const t of unique) {
    const seen = new Set<string>();
    const todo = [...(parents.get(t) ?? [])];
    while (todo.length) {
      const c = todo.pop() as string;
      if (seen.has(c) || !parents.has(c)) continue;
      seen.add(c);
      if (wanted.has(c)) reached.get(t)?.add(c);
      todo.push(...(parents.get(c) ?? []));
    }
  }
  return reached;
}
