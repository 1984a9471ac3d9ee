#!/usr/bin/env node
// Thin launcher: the real entry is compiled TypeScript under dist/.
import { main } from "../dist/src/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`braid: internal error: ${err?.message ?? err}\n`);
    process.exitCode = 70;
  },
);
