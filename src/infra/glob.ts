/**
 * Glob matching (picomatch), loaded on first use. Most runs match no glob: every hook event of a session that
 * owns nothing, `status`, `--help`. Bundled, picomatch was half of the hook's code and 5 ms of its start-up.
 */
import type Picomatch from "picomatch";
import { lazyRequire } from "./lazy.js";

/** The picomatch function (with its `scan`). */
export const picomatch = lazyRequire<typeof Picomatch>("picomatch");

/**
 * The literal start every path a glob matches begins with ("src/api" for "src/api/**"; "" when it starts with a
 * wildcard, a brace or a negation): a path that does not start with it cannot match.
 */
export function literalPrefix(glob: string): string {
  const scan = picomatch().scan(glob);
  return scan.negated || scan.prefix ? "" : scan.base;
}
