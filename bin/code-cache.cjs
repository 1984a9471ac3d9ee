// Runs braid's CommonJS bundles (scripts/bundle.mjs) through V8's code cache: a run whose bundle had no usable cache
// writes one next to it on exit (`<bundle>.v8`), and later runs skip parsing and compiling it. V8 rejects a cache of
// another node or V8 version; the build deletes every cache with the bundles it replaces. Used by bin/braid.js and
// bundled into dist/bundle/hook.cjs (what agents' hook commands run), so both load bundles one way.
"use strict";
const {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} = require("node:fs");
const { dirname, join } = require("node:path");

/** Keep the code cache for the next run, written whole or not at all (V8 rejects a cache that does not fit anyway). */
function saveCodeCache(script, cacheFile) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  let fd;
  try {
    accessSync(dirname(cacheFile), constants.W_OK); // an install this user cannot write: no cache, no cost
    fd = openSync(tmp, "wx", 0o644);
    writeFileSync(fd, script.createCachedData());
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, cacheFile);
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}

/** A bundle's `require` of a neighbour bundle (`./zod.cjs`, `./hook-config.cjs`): through the cache as well. */
const NEIGHBOUR = /^\.\/[\w.-]+\.cjs$/;

/**
 * A CommonJS bundle's exports, compiled from its code cache when it has a valid one. The bundles hold no `import()`
 * (scripts/bundle.mjs checks): node 20 drops a vm.Script's dynamic-import callback for code from a cache.
 */
function loadCommonJs(file) {
  // node's module registry, so a second load of a bundle gets the same module and tools that read it see the file.
  const loaded = require.cache[file];
  if (loaded) return loaded.exports;
  const vm = require("node:vm");
  const Module = require("node:module");
  const cacheFile = `${file}.v8`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  // Written at exit, so the cache holds the functions this run compiled too, not only the top level.
  if (cachedData === undefined || script.cachedDataRejected)
    process.once("exit", () => saveCodeCache(script, cacheFile));
  const mod = new Module(file, module);
  mod.filename = file;
  require.cache[file] = mod;
  const plain = Module.createRequire(file);
  const bundleRequire = Object.assign(
    (id) => (NEIGHBOUR.test(id) ? loadCommonJs(join(dirname(file), id)) : plain(id)),
    plain,
  );
  script.runInThisContext().call(mod.exports, mod.exports, bundleRequire, mod, file, dirname(file));
  mod.loaded = true;
  return mod.exports;
}

module.exports = { loadCommonJs };
