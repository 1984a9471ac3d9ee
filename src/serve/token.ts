/** The board's access token: random, kept in a 0600 file in the repo's braid state, reused across restarts. */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { serveDir, tokenFile } from "../project/serve-paths.js";

export function loadOrCreateToken(stateDir: string): string {
  const file = tokenFile(stateDir);
  try {
    const t = readFileSync(file, "utf8").trim();
    if (t.length >= 32) {
      chmodSync(file, 0o600);
      return t;
    }
  } catch {
    /* none yet */
  }
  mkdirSync(serveDir(stateDir), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // whatever the umask
  return token;
}
