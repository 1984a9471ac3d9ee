#!/usr/bin/env node
// Thin launcher for the bundles of scripts/bundle.mjs (built by `npm run build`): agent hooks run their own
// one-file bundle (no commander, no command modules); everything else runs the CLI bundle.
const argv = process.argv.slice(2);
const run =
  argv[0] === "hook"
    ? import("../dist/bundle/hook.js").then((m) => m.runHookCli(argv.slice(1)))
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
