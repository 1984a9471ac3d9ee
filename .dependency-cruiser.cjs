/**
 * braid's layers, lowest first: a module may import its own layer and the layers below it, never one above,
 * and no import circle is allowed anywhere (type-only and dynamic imports count too). `npm run lint:layers`
 * checks it; ARCHITECTURE.md draws it. To add a folder, give it a place in LAYERS (every file under src/
 * must belong to one).
 */
const LAYERS = [
  ["infra", "^src/infra/"], // errors, files and locks, processes, bounded parallelism: no braid knowledge
  ["git", "^src/git/"], // running git
  ["project", "^src/project/"], // identity, config, the registry (state.json), state-dir layout, trash
  ["agents", "^src/agents/"], // what braid knows about each agent CLI
  ["sandbox", "^src/sandbox/"], // the bubblewrap sandbox: mounts per session type, probe, environment
  ["notify", "^src/notify/"], // notifications: fired from hooks and the exec wrapper, delivered by a worker
  ["ports", "^src/ports/"], // each session's port block and environment (setup, agent, services)
  ["hosts", "^src/hosts/"], // remote hosts over SSH: registry, the ssh module, check, install, mirror
  ["runtime", "^src/runtime/"], // where a session's agent runs: the Runner interface, tmux/headless, the exec wrapper
  ["worktree", "^src/worktree/"], // create, bootstrap, list
  ["watch", "^src/watch/"], // the watcher daemon: which worktrees changed, so the radar skips the others
  ["radar", "^src/radar/"], // conflict radar, ownership guard
  ["coord", "^src/coord/"], // memory and notes
  ["swarm", "^src/swarm/"], // planner → executors → reviewers
  ["session", "^src/session/"], // launch, cascade queue, stop/restart, hooks, views
  ["merge", "^src/merge/"], // merge train, clean
  ["plan", "^src/plan/"], // plan files: start sessions wave by wave, merge them
  ["doctor", "^src/doctor/"], // find and repair: worktrees, registry, sessions, services (each check isolated)
  ["ui", "^src/ui/"], // the terminal board
  ["serve", "^src/serve/"], // the web board: HTTP API, events, the page
  ["completion", "^src/completion/"], // shell completion scripts from the command definitions
  ["demo", "^src/demo/"], // braid demo: a sample repo, a scripted agent, the story told with real commands
  ["cli", "^src/cli/"], // argv → feature → render
];

const anyLayer = `(${LAYERS.map(([, p]) => p.slice(1)).join("|")})`;

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name}`,
  comment: `${name} may not import a layer above it (${LAYERS.slice(i + 1)
    .map(([n]) => n)
    .join(", ")}): move the shared code down, or the caller up`,
  severity: "error",
  from: { path },
  to: { path: `^(${LAYERS.slice(i + 1).map(([, p]) => p.slice(1)).join("|")})` },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "import circle: split the shared part into its own module",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "not-in-a-layer",
      comment: "every module under src/ belongs to a layer: add its folder to LAYERS in .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^src/", pathNot: `^${anyLayer}` },
      to: { path: "^src/" },
    },
    {
      name: "to-not-in-a-layer",
      comment: "every module under src/ belongs to a layer: add its folder to LAYERS in .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: `^${anyLayer}` },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js"] },
  },
};
