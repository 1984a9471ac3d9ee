/**
 * A module required the first time it is asked for, not when its importer loads. For dependencies that
 * nearly every command imports and few use (glob matching, node:crypto): an ES import would load them at
 * start-up, and a hook or `status` pays for every module it loads.
 */
import { createRequire } from "node:module";

export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= createRequire(import.meta.url)(id) as T;
    return loaded;
  };
}
