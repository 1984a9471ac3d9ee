// Build step (after tsc): bundle bin/braid.js's two targets from tsc's output into dist/bundle/. Why: node
// spends 0.5–1 ms per ES module it loads, and a hook or `braid --help` loaded 15–140 of them
// (ARCHITECTURE.md, "Build: bundled entries").
//   dist/bundle/hook.cjs  `braid hook <event>`: one CommonJS file, what every hook event needs (no zod, no
//                         commander), run directly by the agents' hook commands; the rare paths that validate a
//                         config or run git stay in dist/src (HOOK_COLD). CommonJS because node 20 starts a
//                         CommonJS main file 4–8 ms sooner than an ES module (no ESM loader), and a hook runs on
//                         every prompt and checked tool call.
//   dist/bundle/braid.js  every other command: split into chunks, so a command loads only its own code.
// dist/src stays as tsc wrote it: the workers braid spawns by path (exec wrapper, notify worker, service
// runner, trash worker, demo agent) run from there, and every path a module computes from its own location
// (web assets, bin/braid.js, help index, config defaults, workers) keeps pointing there, because each
// bundled module's `import.meta.url` is rewritten to the URL of its own dist/src file.
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "dist", "src");
const OUT = join(ROOT, "dist", "bundle");

/** A bundled module's path from the bundle's files (they all sit flat in OUT). */
const fromOut = (file) => relative(OUT, file).split(sep).join("/");

/**
 * `import … from "node:…"` in tsc's output, as written there: `import { a, b as c } from "node:fs";`,
 * `import * as x from "node:fs";` or `import x from "node:fs";` (type-only imports are erased by tsc).
 */
const BUILTIN_IMPORT = /^import\s+(?:\*\s+as\s+(\w+)|(\w+)|\{([^}]*)\})\s+from\s+"(node:[\w/]+)";$/gm;

/**
 * Node's built-ins by `require`, not import. An ES import of a built-in builds its module facade, reading
 * every export (fs's lazy stream getters load node's stream modules), and the bundler hoists it to the top
 * of the file, so even a module that loads lazily would pay for it at start. Required where its importer
 * runs, a built-in loads when that code runs, and only the names it uses are read.
 */
function builtinsByRequire(text, file) {
  const out = text.replace(BUILTIN_IMPORT, (_, ns, def, named, id) => {
    const req = `require(${JSON.stringify(id)})`;
    if (ns || def) return `const ${ns ?? def} = ${req};`;
    const names = named
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => n.replace(/^(\w+)\s+as\s+(\w+)$/, "$1: $2"));
    return `const { ${names.join(", ")} } = ${req};`;
  });
  const left = /^import[^;]*from\s+"node:/m.exec(out);
  if (left) throw new Error(`${file}: an import of a node built-in bundle.mjs cannot rewrite: ${left[0]}`);
  return out;
}

/**
 * Every bundled dist/src module: built-ins by require, and the URL of its own file as `import.meta.url`
 * (computed from the bundle's own location: from `import.meta.url` in an ES bundle, `__dirname` in CommonJS).
 */
const fromDistSrc = (format) => ({
  name: "dist-src-modules",
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(SRC + sep)) return undefined;
      const rel = JSON.stringify(fromOut(args.path));
      const own =
        format === "cjs"
          ? `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${rel})).href`
          : `new URL(${rel}, import.meta.url).href`;
      const text = builtinsByRequire(await readFile(args.path, "utf8"), args.path).replaceAll("import.meta.url", own);
      return { contents: text, loader: "js", resolveDir: dirname(args.path) };
    });
  },
});

/**
 * Modules the hook reaches only on rare paths (a config file changed since it was last validated: zod; a
 * session launched by an older braid: git), loaded from dist/src when they run.
 */
const HOOK_COLD = ["project/config.js", "project/context.js"].map((f) => join(SRC, f));
const hookCold = {
  name: "hook-cold-paths",
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      return HOOK_COLD.includes(file) ? { path: fromOut(file), external: true } : undefined;
    });
  },
};

const common = {
  outdir: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The board's Ink/React stay as node_modules has them (only `braid board` loads them).
  external: ["ink", "react", "react/*"],
  // The `require` of built-ins (builtinsByRequire, and CommonJS dependencies such as commander): node ≥ 20.16 has
  // process.getBuiltinModule, older ones get createRequire.
  banner: {
    js: 'const require = process.getBuiltinModule ? (id) => process.getBuiltinModule(id) : (await import("node:module")).createRequire(import.meta.url);',
  },
  logLevel: "warning",
  legalComments: "none",
};

rmSync(OUT, { recursive: true, force: true }); // no chunks of an older build
await Promise.all([
  build({
    ...common,
    format: "cjs",
    banner: {},
    outExtension: { ".js": ".cjs" },
    // Run as the main file (the hook commands), it handles the event; required (bin/braid.js), it only exports.
    stdin: {
      contents: [
        'import { runHookCli } from "./hook.js";',
        "export { runHookCli };",
        "if (require.main === module) runHookCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });",
      ].join("\n"),
      resolveDir: join(SRC, "session"),
      sourcefile: "hook-entry.js",
    },
    outfile: join(OUT, "hook.cjs"),
    outdir: undefined,
    plugins: [fromDistSrc("cjs"), hookCold],
  }),
  build({
    ...common,
    entryPoints: { braid: join(SRC, "cli", "main.js") },
    splitting: true,
    chunkNames: "[name]-[hash]",
    plugins: [fromDistSrc("esm")],
  }),
]);
