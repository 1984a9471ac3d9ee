#!/usr/bin/env node
// Launcher for the bundles of scripts/bundle.mjs (built by `npm run build`): runs the one file the command needs
// (dist/bundle/manifest.json) and nothing else. CommonJS (bin/package.json), so node never starts its ES module
// loader for a command, and each bundle is compiled through V8's code cache: a run whose bundle had no usable cache
// writes one next to it on exit (`<bundle>.v8`); V8 rejects a cache of another node or V8 version, and the content
// hash in each bundle's name keeps a cache from ever meeting other code.
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

const BUNDLES = join(__dirname, "..", "dist", "bundle");
const argv = process.argv.slice(2);

/** `braid`, `braid --help`, `braid --version`: what the help bundle answers (src/cli/help-index.ts, main.ts). */
const TOP_LEVEL = ["--help", "-h", "help", "--version", "-V"];

/** The bundle for argv: its command's own, the top-level help's, or the one with every command (typos, completion). */
function bundleFor(manifest) {
  const first = argv[0];
  if (first === "hook") return manifest.hook;
  if (argv.length === 0 || (argv.length === 1 && TOP_LEVEL.includes(first))) return manifest.help;
  if (first !== undefined && Object.hasOwn(manifest.commands, first)) return manifest.commands[first];
  return manifest.all;
}

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

/** What a bundle `require`s of its neighbours: zod.cjs (scripts/bundle.mjs, sharedZod). */
const SHARED = "./zod.cjs";

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
  const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), {
    filename: file,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected)
    process.once("exit", () => saveCodeCache(script, cacheFile));
  const mod = new Module(file, module);
  mod.filename = file;
  require.cache[file] = mod;
  const plain = Module.createRequire(file);
  // The bundles' one shared file (the config validator, 1.7 MB) goes through the cache as well.
  const bundleRequire = Object.assign((id) => (id === SHARED ? loadCommonJs(join(BUNDLES, id)) : plain(id)), plain);
  script.runInThisContext().call(mod.exports, mod.exports, bundleRequire, mod, file, dirname(file));
  mod.loaded = true;
  return mod.exports;
}

function run() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(BUNDLES, "manifest.json"), "utf8"));
  } catch {
    process.stderr.write("braid: dist/bundle is missing or incomplete — run `npm run build` in braid's checkout\n");
    return Promise.resolve(1);
  }
  const file = join(BUNDLES, bundleFor(manifest));
  // The hook bundle imports dist/src on rare paths, so node compiles it (agents' hooks run that file directly anyway).
  if (argv[0] === "hook") return require(file).runHookCli(argv.slice(1));
  if (file.endsWith(".mjs")) return import(require("node:url").pathToFileURL(file).href).then((m) => m.main(argv));
  return loadCommonJs(file).main(argv);
}

Promise.resolve()
  .then(run)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`braid: internal error: ${err?.message ?? err} — please report it\n`);
      process.exitCode = 70;
    },
  );
