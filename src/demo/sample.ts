/**
 * The demo's sample project (a tiny greeting library with a test suite run by `node test.js`) and the
 * three sessions played on it: two edit separate areas, the third rewrites the same lines as the first.
 */
import type { AgentStep } from "./agent.js";

export const SAMPLE_REPO = "greeter";

export const VERIFY = "node test.js";

export const SAMPLE_FILES: Record<string, string> = {
  "package.json": '{\n  "name": "greeter",\n  "private": true,\n  "type": "commonjs"\n}\n',
  "README.md": "# greeter\n\nA tiny library for braid's demo: `src/greet/`, `src/math/`; tests: `node test.js`.\n",
  "src/greet/greet.js": 'function greet(name) {\n  return "Hello " + name;\n}\n\nmodule.exports = { greet };\n',
  "src/math/math.js": "function add(a, b) {\n  return a + b;\n}\n\nmodule.exports = { add };\n",
  "src/greet/greet.test.js":
    'const assert = require("node:assert");\nconst { greet } = require("./greet.js");\n\nassert.strictEqual(greet("Ada"), "Hello Ada");\n',
  "src/math/math.test.js":
    'const assert = require("node:assert");\nconst { add } = require("./math.js");\n\nassert.strictEqual(add(2, 3), 5);\n',
  "test.js": [
    "// Runs every src/*/*.test.js; a failed assertion exits non-zero.",
    'const { readdirSync } = require("node:fs");',
    'const files = readdirSync(__dirname + "/src", { recursive: true }).filter((f) => f.endsWith(".test.js")).sort();',
    'for (const f of files) require("./src/" + f);',
    'console.log(files.length + " test files passed: " + files.join(", "));',
    "",
  ].join("\n"),
};

interface DemoSession {
  name: string;
  task: string;
  /** Its --owns glob; the third declares none. */
  owns?: string;
  /** What its agent writes before it commits. */
  files: Record<string, string>;
  commitMessage: string;
}

export const DEMO_SESSIONS: DemoSession[] = [
  {
    name: "greet",
    task: "Greet people with a comma and an exclamation mark",
    owns: "src/greet/**",
    files: {
      "src/greet/greet.js":
        'function greet(name) {\n  return "Hello, " + name + "!";\n}\n\nmodule.exports = { greet };\n',
      "src/greet/greet.test.js":
        'const assert = require("node:assert");\nconst { greet } = require("./greet.js");\n\nassert.strictEqual(greet("Ada"), "Hello, Ada!");\n',
    },
    commitMessage: "greet: Hello, <name>!",
  },
  {
    name: "math",
    task: "Add multiply() to the math module",
    owns: "src/math/**",
    files: {
      "src/math/math.js":
        "function add(a, b) {\n  return a + b;\n}\n\nfunction multiply(a, b) {\n  return a * b;\n}\n\nmodule.exports = { add, multiply };\n",
      "src/math/math.test.js":
        'const assert = require("node:assert");\nconst { add, multiply } = require("./math.js");\n\nassert.strictEqual(add(2, 3), 5);\nassert.strictEqual(multiply(2, 3), 6);\n',
    },
    commitMessage: "math: multiply()",
  },
  {
    name: "shout",
    task: "Make greetings loud",
    files: {
      "src/greet/greet.js":
        'function greet(name) {\n  return "HELLO " + name.toUpperCase();\n}\n\nmodule.exports = { greet };\n',
      "src/greet/greet.test.js":
        'const assert = require("node:assert");\nconst { greet } = require("./greet.js");\n\nassert.strictEqual(greet("Ada"), "HELLO ADA");\n',
    },
    commitMessage: "shout: HELLO <NAME>",
  },
];

/**
 * Each agent's script: edit, tell the demo it edited (`<cues>/<name>.edited`), wait for the cue to commit
 * (`<cues>/commit`) so status and the radar can be shown on uncommitted work, then commit.
 */
export function agentScript(cues: string): Record<string, AgentStep[]> {
  return Object.fromEntries(
    DEMO_SESSIONS.map((s) => [
      s.name,
      [
        { write: s.files },
        { touch: `${cues}/${s.name}.edited` },
        { waitFor: `${cues}/commit` },
        { commit: s.commitMessage },
      ],
    ]),
  );
}
