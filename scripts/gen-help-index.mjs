// Build step: record every command's top-level help line, so `braid --help` prints without loading
// the command modules (src/cli/help-index.ts).
import { writeFileSync } from "node:fs";

const { buildProgram } = await import("../dist/src/cli/program.js");
const { helpLines } = await import("../dist/src/cli/help-index.js");
// An unknown word registers every command.
const program = await buildProgram(["\0all"]);
writeFileSync("dist/src/cli/help-index.json", `${JSON.stringify(helpLines(program), null, 2)}\n`);
