/** Where `braid serve` keeps its files: `<stateDir>/serve/` (token 0600, the running server's address). */
import { join } from "node:path";
import { hasField, readJsonFile } from "../infra/json.js";

export function serveDir(stateDir: string): string {
  return join(stateDir, "serve");
}

export function tokenFile(stateDir: string): string {
  return join(serveDir(stateDir), "token");
}

export function serverFile(stateDir: string): string {
  return join(serveDir(stateDir), "server.json");
}

export interface ServerInfo {
  /** The board's address without the token, e.g. http://127.0.0.1:8765 */
  url: string;
  pid: number;
  startedAt: string;
}

/** The running server of this project, if one said so and its process is still there. */
export function runningServer(stateDir: string): ServerInfo | null {
  const info = readJsonFile(serverFile(stateDir), hasField<ServerInfo>("pid", "number"));
  if (!info) return null;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}
