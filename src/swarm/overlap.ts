/**
 * Do two owned-path declarations overlap? Paths are repo-relative files, directories ("src/auth/")
 * or globs ("src/**\/*.ts"). Used for "no two subtasks of a batch own the same file" and for plan
 * files' "no shared files between sessions".
 */
import { picomatch } from "../infra/glob.js";

/** "./src//a/" -> "src/a" */
export function normalizeOwned(p: string): string {
  return p
    .trim()
    .replace(/\\/g, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/{2,}/g, "/")
    .replace(/\/$/, "");
}

function isGlob(p: string): boolean {
  return picomatch().scan(p).isGlob;
}

/** The fixed directory part of a glob ("src/**\/*.ts" -> "src"). */
function globBase(p: string): string {
  return normalizeOwned(picomatch().scan(p).base);
}

function under(path: string, dir: string): boolean {
  return dir === "" || path === dir || path.startsWith(`${dir}/`);
}

export function ownedOverlap(a: string, b: string): boolean {
  const x = normalizeOwned(a);
  const y = normalizeOwned(b);
  if (x === "" || y === "") return true; // the whole repository
  const gx = isGlob(x);
  const gy = isGlob(y);
  if (!gx && !gy) return under(x, y) || under(y, x);
  if (gx && !gy) return picomatch()(x, { dot: true })(y) || under(globBase(x), y) || globTouches(x, y);
  if (!gx && gy) return picomatch()(y, { dot: true })(x) || under(globBase(y), x) || globTouches(y, x);
  // two globs: overlap when one's fixed base lies under the other's (conservative)
  const bx = globBase(x);
  const by = globBase(y);
  return under(bx, by) || under(by, bx);
}

/** A glob whose base is a parent of `dir`'s files: "src/**" touches the directory "src/a". */
function globTouches(glob: string, path: string): boolean {
  return under(path, globBase(glob)) && picomatch()(glob, { dot: true })(`${path}/x`);
}

/** Every pair (i, j), i < j, of owners whose paths overlap, with the first overlapping pair of paths. */
export function overlappingOwners(
  owners: { name: string; owns: string[] }[],
): { a: string; b: string; pathA: string; pathB: string }[] {
  const found: { a: string; b: string; pathA: string; pathB: string }[] = [];
  for (let i = 0; i < owners.length; i++) {
    for (let j = i + 1; j < owners.length; j++) {
      const A = owners[i];
      const B = owners[j];
      if (!A || !B) continue;
      outer: for (const pa of A.owns) {
        for (const pb of B.owns) {
          if (ownedOverlap(pa, pb)) {
            found.push({ a: A.name, b: B.name, pathA: pa, pathB: pb });
            break outer;
          }
        }
      }
    }
  }
  return found;
}
