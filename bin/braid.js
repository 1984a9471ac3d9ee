#!/usr/bin/env node
// Launcher for the bundles of scripts/bundle.mjs (built by `npm run build`): runs the one file the command needs
// (dist/bundle/manifest.json) and nothing else. CommonJS (bin/package.json), so node never starts its ES module
// loader for a command, and each bundle runs through V8's code cache (code-cache.cjs).
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { loadCommonJs } = require("./code-cache.cjs");

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

function run() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(BUNDLES, "manifest.json"), "utf8"));
  } catch {
    process.stderr.write("braid: dist/bundle is missing or incomplete — run `npm run build` in braid's checkout\n");
    return Promise.resolve(1);
  }
  const file = join(BUNDLES, bundleFor(manifest));
  if (argv[0] === "hook") return loadCommonJs(file).runHookCli(argv.slice(1));
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
