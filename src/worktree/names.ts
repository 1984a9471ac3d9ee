/** Rules for session names: they become folder names, branch names and tmux window names. */
import { BraidError } from "../infra/errors.js";

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws a one-line error saying what is wrong with the name and what would be accepted. */
export function validateSessionName(name: string): void {
  const fix = "use letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. auth-api)";
  if (!name?.trim()) throw new BraidError("session name is empty", fix);
  if (name.startsWith("-")) throw new BraidError(`session name "${name}" starts with '-'`, fix);
  if (name.includes("/") || name.includes("\\"))
    throw new BraidError(`session name "${name}" contains a path separator`, fix);
  if (name.includes("..")) throw new BraidError(`session name "${name}" contains '..'`, fix);
  if (/\s/.test(name)) throw new BraidError(`session name "${name}" contains whitespace`, fix);
  if (name.length > 64) throw new BraidError(`session name "${name.slice(0, 20)}…" is longer than 64 characters`, fix);
  // git refuses branch names ending in ".lock" or "."
  if (name.endsWith(".lock")) throw new BraidError(`session name "${name}" ends in ".lock", which git forbids`, fix);
  if (name.endsWith(".")) throw new BraidError(`session name "${name}" ends in '.', which git forbids`, fix);
  if (!NAME_RE.test(name)) throw new BraidError(`session name "${name}" has characters braid does not allow`, fix);
}
