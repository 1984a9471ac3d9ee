/**
 * Digests and UUIDs, with node:crypto loaded on first use. The modules that need it (project identity, trust,
 * the config cache key, the radar's index names, ssh's socket names) are loaded by nearly every command, most of
 * which never hash: loading crypto cost every `status` and `ls` 2–4 ms.
 */
import { lazyRequire } from "./lazy.js";

const crypto = lazyRequire<typeof import("node:crypto")>("node:crypto");

/** Hex digest of `data` (sha1 only for names, never for anything that must resist a forger). */
export function hashHex(algorithm: "sha1" | "sha256", data: string | Buffer): string {
  return crypto().createHash(algorithm).update(data).digest("hex");
}

export function randomUuid(): string {
  return crypto().randomUUID();
}
