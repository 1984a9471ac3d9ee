#!/usr/bin/env node
// Thin launcher for the bundles of scripts/bundle.mjs (built by `npm run build`): `braid hook` runs the hook
// bundle (no commander, no command modules; agents' hook commands run that file directly); everything else
// runs the CLI bundle.
import { createRequire } from "node:module";

const argv = process.argv.slice(2);
// The hook bundle by require: node 20 imports a CommonJS file from ESM through a WebAssembly export scanner
// whose start-up costs more than the whole hook (~50 ms).
const run =
  argv[0] === "hook"
    ? Promise.resolve().then(() => createRequire(import.meta.url)("../dist/bundle/hook.cjs").runHookCli(argv.slice(1)))
    : import("../dist/bundle/braid.js").then((m) => m.main(argv));

run.then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`braid: internal error: ${err?.message ?? err}\n`);
    process.exitCode = 70;
  },
);
