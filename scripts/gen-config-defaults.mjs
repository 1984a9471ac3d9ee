// Build step: write the default config as JSON next to the compiled config module, so commands in a
// repo without config files can start without loading the schema validator (zod, ~100+ ms).
import { writeFileSync } from "node:fs";

const { configSchema } = await import("../dist/src/project/config.js");
writeFileSync("dist/src/project/config-defaults.json", `${JSON.stringify(configSchema.parse({}), null, 2)}\n`);
