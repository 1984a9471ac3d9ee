/** `20261125T100203123Z`: an instant that sorts as text and is valid in ref and file names (no ':' or '.'). */
export function compactStamp(now = new Date()): string {
  return now.toISOString().replace(/[-:.]/g, "");
}
