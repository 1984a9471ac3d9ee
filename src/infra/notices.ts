/**
 * One-line warnings from core code (an ignored untrusted key, ...). Core code never prints: the CLI sets
 * the reporter; elsewhere (hooks, tests) warnings go nowhere.
 */
let reporter: ((line: string) => void) | undefined;
const said = new Set<string>();

export function setWarningReporter(fn: ((line: string) => void) | undefined): void {
  reporter = fn;
  said.clear();
}

/** Report a warning once per run. */
export function warn(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  reporter?.(line);
}
