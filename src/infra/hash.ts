/**
 * Digests and UUIDs, with node:crypto loaded on first use. An ES import loads it with its importer, and the
 * modules that need it (project identity, trust, the radar's index names, ssh's socket names) are loaded by
 * nearly every command, most of which never hash: loading crypto cost every `status` and `ls` 2–4 ms.
 */
import { createRequire } from "node:module";

type Crypto = typeof import("node:crypto");

let loaded: Crypto | null = null;

function crypto(): Crypto {
  loaded ??= createRequire(import.meta.url)("node:crypto") as Crypto;
  return loaded;
}

/** Hex digest of `data` (sha1 only for names, never for anything that must resist a forger). */
export function hashHex(algorithm: "sha1" | "sha256", data: string | Buffer): string {
  return crypto().createHash(algorithm).update(data).digest("hex");
}

export function randomUuid(): string {
  return crypto().randomUUID();
}
