/**
 * Random hex digits for names that must not collide (temp files, note and memory ids), not for secrets.
 * Math.random, not node:crypto: loading crypto is a large part of a hook's start-up, and these names need
 * no unpredictability (the pid or a timestamp beside them tells processes apart).
 */
export function randomHex(digits: number): string {
  let s = "";
  while (s.length < digits)
    s += Math.floor(Math.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, "0");
  return s.slice(0, digits);
}
