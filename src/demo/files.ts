import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Write `files` (paths relative to `dir`), making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}
