/** `<stateDir>/logs/hooks.log`: where hooks and the notification worker say what went wrong. Never throws. */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

export function hookLogFile(stateDir: string): string {
  return join(stateDir, "logs", "hooks.log");
}

/** One line in the hook log; one small record per synchronous append stays intact with concurrent writers. */
export function logHookLine(stateDir: string, line: string): void {
  try {
    const file = hookLogFile(stateDir);
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${new Date().toISOString()} ${line.replace(/\s+/g, " ").slice(0, 2000)}\n`);
  } catch {
    /* nowhere left to complain: the agent must go on */
  }
}
