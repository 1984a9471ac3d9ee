import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../helpers/env.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

test("ink and react load only with `braid board`: no static import outside src/ui/board", () => {
  const offenders: string[] = [];
  for (const f of sources(join(REPO_ROOT, "src"))) {
    const rel = relative(REPO_ROOT, f);
    if (rel.startsWith(join("src", "ui", "board"))) continue;
    const text = readFileSync(f, "utf8");
    if (/^import[^;]*from "(ink|react)(\/[^"]*)?";/m.test(text)) offenders.push(`${rel} imports ink/react`);
    if (/^import[^;]*from "[^"]*ui\/board\/[^"]*";/m.test(text))
      offenders.push(`${rel} imports src/ui/board statically`);
  }
  assert.deepEqual(offenders, []);
  const cmd = readFileSync(join(REPO_ROOT, "src", "cli", "commands", "board.ts"), "utf8");
  // loaded by a dynamic import() inside the action, never a static one
  assert.match(cmd, /[^\w.]import\("\.\.\/\.\.\/ui\/board\/run\.js"\)/);
});
