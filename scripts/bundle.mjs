// Build step (after tsc): bundle what bin/braid.js runs from tsc's output into dist/bundle/ (ARCHITECTURE.md,
// "Build: bundled entries"). Why: node 20 spends 0.5–1 ms on every ES module it loads and more on its ES module
// loader itself, and compiles every file anew on every run; a CommonJS file can be run through V8's code cache.
//   hook.cjs          what agents' hook commands run (`node hook.cjs <event>`): a loader of hook-<hash>.cjs, the code
//                     every hook event needs (no zod, no commander); the rare paths that validate a config or run
//                     git are hook-config.cjs and hook-context.cjs (HOOK_COLD).
//   <command>-<hash>.cjs  one file per command: the CLI with only that command registered, so `braid status`
//                     loads the status code and nothing else (commands whose code needs ESM-only packages, the
//                     board's ink, are .mjs files instead).
//   help-<hash>.cjs   `braid`, `--help`, `--version`: the help lines the build recorded, no command's code.
//   all-<hash>.cjs    every command: a command's help, unknown words and their suggestions, `completion`.
//   zod.cjs           the config validator, one copy `require`d by any bundle only when a config needs validating.
//   manifest.json     which file runs which command (bin/braid.js reads it).
// The hash in a name is of the file's content, so a code cache written for it (bin/braid.js, `<file>.v8`) can never
// be read for other code. dist/src stays as tsc wrote it: the workers braid spawns by path (exec wrapper, notify
// worker, service runner, trash worker, demo agent) run from there, and every path a module computes from its own
// location (web assets, bin/braid.js, help index, config defaults, workers) keeps pointing there, because each
// bundled module's `import.meta.url` is rewritten to the URL of its own dist/src file.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
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
 * session launched by an older braid: git): bundles of their own (`hook-<name>.cjs`), required when they run.
 */
const HOOK_COLD = new Map(["config", "context"].map((n) => [join(SRC, "project", `${n}.js`), `./hook-${n}.cjs`]));
/** Imports of the cold modules as requires of their bundles, except of `entry` itself (the cold bundle being built). */
const hookCold = (entry) => ({
  name: "hook-cold-paths",
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      return file !== entry && HOOK_COLD.has(file) ? { path: HOOK_COLD.get(file), external: true } : undefined;
    });
  },
});

/**
 * node:child_process loaded when a bundle first spawns, not when it loads: commander requires it at its top (for
 * executable subcommands, which braid has none of), every git caller at theirs, and it brings net, dgram and node's
 * stream modules with it, ~5 ms of a command that spawns nothing (`--help`, `--version`). Its functions become
 * stand-ins that load it and call through; anything else (the ChildProcess class) is a getter that loads it.
 * CommonJS bundles only: their `require` is node's.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    const names = Object.keys(createRequire(import.meta.url)("node:child_process"));
    const contents = [
      "let loaded;",
      'const cp = () => (loaded ??= require("node:child_process"));',
      ...names.map((n) =>
        /^[a-z_]/.test(n)
          ? `exports.${n} = (...args) => cp().${n}(...args);`
          : `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => cp().${n} });`,
      ),
    ].join("\n");
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === "lazy-builtin"
        ? { path: "node:child_process", external: true }
        : { path: "child_process", namespace: "lazy-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({ contents, loader: "js" }));
  },
};

/** Packages braid's bundles load as they are (ink is ES-only, react goes with it): only the board uses them. */
const ESM_ONLY = ["ink", "react", "react/*"];

/**
 * main.js's `hook` branch serves callers of dist/src only (bin/braid.js runs hook.cjs for `braid hook`): left as a
 * load of the hook's own bundle (CommonJS bundles) or of dist/src (ES ones), so no other bundle carries its code.
 */
const hookElsewhere = (format) => ({
  name: "hook-elsewhere",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/session\/hook\.js$/ }, (args) =>
      args.importer === join(SRC, "cli", "main.js")
        ? { path: format === "cjs" ? "./hook.cjs" : fromOut(join(SRC, "session", "hook.js")), external: true }
        : undefined,
    );
  },
});

/** zod from the one shared copy (zod.cjs, next to every bundle), not a copy per bundle. */
const sharedZod = {
  name: "shared-zod",
  setup(b) {
    b.onResolve({ filter: /^zod(\/.*)?$/ }, () => ({ path: "./zod.cjs", external: true }));
  },
};

/**
 * The command table of src/cli/commands/index.ts (`["name", () => import("./file.js").then((m) => m.registerX)]`),
 * read from tsc's output. Every `import(` of that file must be one such entry, or the build stops.
 */
function commandTable() {
  const text = readFileSync(join(SRC, "cli", "commands", "index.js"), "utf8");
  const entry = /\["([\w-]+)",\s*\(\)\s*=>\s*import\("\.\/([\w-]+)\.js"\)\.then\(\(m\)\s*=>\s*m\.(\w+)\)\]/g;
  const table = [...text.matchAll(entry)].map(([, name, file, register]) => ({ name, file, register }));
  const imports = text.match(/import\(/g)?.length ?? 0;
  if (table.length === 0 || table.length !== imports)
    throw new Error(`commands/index.js: ${imports} imports but ${table.length} command entries bundle.mjs can read`);
  return table;
}

/** commands/index.js for the top-level help (and --version): the recorded help lines, no command's code. */
const helpOnly = {
  name: "help-only",
  setup(b) {
    const index = join(SRC, "cli", "commands", "index.js");
    b.onLoad({ filter: /index\.js$/ }, (args) =>
      args.path === index
        ? {
            contents: [
              'import { BraidError } from "../../infra/errors.js";',
              'import { readHelpIndex, registerHelpStandIns } from "../help-index.js";',
              "export async function registerCommands(program) {",
              "  const lines = readHelpIndex({ checkFresh: false });",
              `  if (!lines) throw new BraidError("braid's help index is missing", "run \`npm run build\` in braid's checkout");`,
              "  registerHelpStandIns(program, lines);",
              "}",
            ].join("\n"),
            loader: "js",
            resolveDir: dirname(index),
          }
        : undefined,
    );
  },
};

/** commands/index.js with one command only, registered whatever argv says (bin/braid.js chose the file by it). */
const oneCommand = (cmd) => ({
  name: "one-command",
  setup(b) {
    const index = join(SRC, "cli", "commands", "index.js");
    b.onLoad({ filter: /index\.js$/ }, (args) =>
      args.path === index
        ? {
            contents: `import { ${cmd.register} } from "./${cmd.file}.js";\nexport async function registerCommands(program) {\n  ${cmd.register}(program);\n}\n`,
            loader: "js",
            resolveDir: dirname(index),
          }
        : undefined,
    );
  },
});

const common = {
  outdir: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ESM_ONLY,
  // The `require` of built-ins (builtinsByRequire, and CommonJS dependencies such as commander): node ≥ 20.16 has
  // process.getBuiltinModule, older ones get createRequire.
  banner: {
    js: 'const require = process.getBuiltinModule ? (id) => process.getBuiltinModule(id) : (await import("node:module")).createRequire(import.meta.url);',
  },
  logLevel: "warning",
  legalComments: "none",
};

rmSync(OUT, { recursive: true, force: true }); // no bundles or code caches of an older build
// A CommonJS bundle has no `import()` left: bin/braid.js runs it through a vm.Script whose code cache drops node 20's
// dynamic-import callback ("A dynamic import callback was not specified"), so built-ins load by require instead.
const cjs = {
  ...common,
  format: "cjs",
  banner: {},
  outExtension: { ".js": ".cjs" },
  supported: { "dynamic-import": false },
};
const main = join(SRC, "cli", "main.js");
/** The plugins every CommonJS bundle needs, around `own` (resolvers run in this order: the first answer wins). */
const cjsPlugins = (...own) => [lazyChildProcess, ...own, fromDistSrc("cjs")];

/** Build one entry; returns its output file's name in OUT. */
async function bundle(options) {
  const r = await build({ ...options, metafile: true });
  if (options.format === "cjs" && options.supported?.["dynamic-import"] === false) noImportLeft(r);
  // Not a chunk: a split build marks each chunk loaded by import() as an entry point too.
  const [out] = Object.entries(r.metafile.outputs).filter(([f, o]) => o.entryPoint && !/\/chunk-[^/]*$/.test(f));
  if (!out) throw new Error("esbuild wrote no entry file");
  return relative(OUT, resolve(ROOT, out[0]));
}

/** A CommonJS bundle whose code still says `import(` of an external stops the build (see `cjs`). */
function noImportLeft(r) {
  for (const [file, o] of Object.entries(r.metafile.outputs))
    for (const i of o.imports)
      if (i.external && i.kind === "dynamic-import" && !/^node:/.test(i.path))
        throw new Error(`${file}: import("${i.path}") of an ES module cannot run from a code-cached CommonJS bundle`);
}

/** Does the build `r` import an ES-only package (then its entry must be an ES module itself)? */
const importsEsmOnly = (r) =>
  Object.values(r.metafile.outputs).some((o) =>
    o.imports.some((i) => i.external && ESM_ONLY.some((e) => i.path === e || i.path.startsWith(e.replace("*", "")))),
  );

/** One command's bundle: CommonJS, unless its code imports an ES-only package. */
async function commandBundle(cmd) {
  const options = {
    entryPoints: { [cmd.name.replace(/^_+/, "")]: main },
    outdir: OUT,
    entryNames: "[name]-[hash]",
    metafile: true,
  };
  const r = await build({
    ...cjs,
    ...options,
    plugins: cjsPlugins(oneCommand(cmd), sharedZod, hookElsewhere("cjs")),
  });
  if (!importsEsmOnly(r)) noImportLeft(r);
  const cjsFile = Object.keys(r.metafile.outputs)[0];
  if (!importsEsmOnly(r)) return relative(OUT, resolve(ROOT, cjsFile));
  rmSync(resolve(ROOT, cjsFile));
  // Split, so what the command loads by import() (the board's Ink, which must load after board.ts hides CI from it)
  // stays a chunk loaded then, not a static import hoisted to the top of one file.
  const esm = { ...common, ...options, splitting: true, chunkNames: "chunk-[hash]", outExtension: { ".js": ".mjs" } };
  return bundle({ ...esm, plugins: [oneCommand(cmd), sharedZod, hookElsewhere("esm"), fromDistSrc("esm")] });
}

/**
 * What every hook event runs: hook.cjs, the file agents' hook commands name, is a small loader that runs the hook's
 * code (hook-<hash>.cjs) through the code cache (bin/code-cache.cjs, bundled in); the cold paths are bundles beside
 * it. Returns the code's file (bin/braid.js runs it for `braid hook`).
 */
async function hookBundles() {
  const [body] = await Promise.all([
    bundle({
      ...cjs,
      entryPoints: { hook: join(SRC, "session", "hook.js") },
      outdir: OUT,
      entryNames: "[name]-[hash]",
      plugins: cjsPlugins(hookCold()),
    }),
    ...[...HOOK_COLD].map(([file, out]) =>
      bundle({
        ...cjs,
        entryPoints: [file],
        outfile: join(OUT, out),
        outdir: undefined,
        plugins: cjsPlugins(sharedZod, hookCold(file)),
      }),
    ),
  ]);
  await bundle({
    ...cjs,
    stdin: {
      contents: [
        'const { loadCommonJs } = require("./bin/code-cache.cjs");',
        `const hook = loadCommonJs(require("node:path").join(__dirname, ${JSON.stringify(body)}));`,
        "module.exports = hook;",
        "if (require.main === module) hook.runHookCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });",
      ].join("\n"),
      resolveDir: ROOT,
      sourcefile: "hook-entry.js",
    },
    outfile: join(OUT, "hook.cjs"),
    outdir: undefined,
  });
  return body;
}

// completion needs every command; `braid hook` runs the hook bundles (bin/braid.js)
const commands = commandTable().filter((c) => !["completion", "__complete", "hook"].includes(c.name));
const [hook, all, help, ...perCommand] = await Promise.all([
  hookBundles(),
  bundle({
    ...cjs,
    entryPoints: { all: main },
    outdir: OUT,
    entryNames: "[name]-[hash]",
    plugins: cjsPlugins(sharedZod, hookElsewhere("cjs")),
  }),
  bundle({
    ...cjs,
    entryPoints: { help: main },
    outdir: OUT,
    entryNames: "[name]-[hash]",
    plugins: cjsPlugins(helpOnly, sharedZod, hookElsewhere("cjs")),
  }),
  ...commands.map(async (cmd) => [cmd.name, await commandBundle(cmd)]),
  bundle({
    ...cjs,
    stdin: { contents: 'export * from "zod";', resolveDir: ROOT, sourcefile: "zod-entry.js" },
    outfile: join(OUT, "zod.cjs"),
    outdir: undefined,
  }),
]);
perCommand.pop(); // zod.cjs: not a command
const manifest = { hook, all, help, commands: Object.fromEntries(perCommand) };
writeFileSync(join(OUT, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
