/**
 * Glob matching (picomatch), loaded on first use. Most runs match no glob: every hook event of a session that
 * owns nothing, `status`, `--help`. Bundled, picomatch was half of the hook's code and 5 ms of its start-up.
 */
import { createRequire } from "node:module";
import type Picomatch from "picomatch";

let loaded: typeof Picomatch | null = null;

/** The picomatch function (with its `scan`), required the first time it is asked for. */
export function picomatch(): typeof Picomatch {
  loaded ??= createRequire(import.meta.url)("picomatch") as typeof Picomatch;
  return loaded;
}
