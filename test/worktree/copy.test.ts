import assert from "node:assert/strict";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { COPY_METHODS, chooseMethod, copyTree, copyTreeWith, copyWithNode } from "../../src/worktree/copy.js";
import { makeSandbox } from "../helpers/env.js";

/** Every entry under root: kind, mode, and content or link target. */
function describeTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const rel = relative(root, p);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out.push(`L ${rel} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`D ${rel} ${mode}`);
        walk(p);
      } else out.push(`F ${rel} ${mode} ${readFileSync(p, "utf8")}`);
    }
  };
  walk(root);
  return out;
}

function awkwardTree(root: string, packages: number): void {
  for (let p = 0; p < packages; p++) {
    const lib = join(root, `pkg${p}`, "lib");
    mkdirSync(lib, { recursive: true });
    for (let f = 0; f < 5; f++) writeFileSync(join(lib, `m${f}.js`), `module.exports = ${p * 5 + f};\n`);
  }
  mkdirSync(join(root, ".bin"), { recursive: true });
  writeFileSync(join(root, ".bin", "tool"), "#!/bin/sh\necho hi\n");
  chmodSync(join(root, ".bin", "tool"), 0o755);
  symlinkSync("../pkg0/lib/m0.js", join(root, ".bin", "link"));
  symlinkSync("/nonexistent/target", join(root, "dangling"));
  mkdirSync(join(root, "empty dir"));
  writeFileSync(join(root, "-leading-dash"), "dash\n");
  writeFileSync(join(root, "with space.txt"), "space\n");
  // One deep, wide package: the split must open it up rather than give it to one worker.
  const big = join(root, "@scope", "big", "dist");
  mkdirSync(big, { recursive: true });
  for (let f = 0; f < 60; f++) writeFileSync(join(big, `chunk${f}.js`), `${f}\n`);
}

describe("copyTree", () => {
  for (const [label, copy] of [
    ["the default path (the method chooseMethod picks)", copyTree],
    ["the portable Node path", copyWithNode],
    ...COPY_METHODS.map((m) => [`method ${m}`, (src: string, dst: string) => copyTreeWith(m, src, dst)] as const),
  ] as const) {
    for (const packages of [1, 40]) {
      it(`${label} makes an identical, independent copy (${packages} top-level packages)`, async () => {
        const sb = makeSandbox();
        try {
          const src = join(sb.root, "node_modules");
          awkwardTree(src, packages);
          const dst = join(sb.root, "wt", "node_modules");
          mkdirSync(join(sb.root, "wt"));
          const stats = await copy(src, dst);
          assert.deepEqual(describeTree(dst), describeTree(src));
          assert.equal(stats.files, packages * 5 + 1 + 2 + 60);
          assert.equal(stats.symlinks, 2);
          // A real copy, never a hardlink: writing one side leaves the other alone.
          writeFileSync(join(dst, "pkg0", "lib", "m0.js"), "changed\n");
          assert.equal(readFileSync(join(src, "pkg0", "lib", "m0.js"), "utf8"), "module.exports = 0;\n");
          assert.equal(lstatSync(join(src, "pkg0", "lib", "m1.js")).nlink, 1);
        } finally {
          sb.cleanup();
        }
      });
    }
  }

  it("picks Node for a small tree and the parallel cps for a large one; BRAID_COPY_METHOD forces one", async () => {
    const sb = makeSandbox();
    try {
      const small = join(sb.root, "small");
      awkwardTree(small, 1);
      const large = join(sb.root, "large");
      awkwardTree(large, 60);
      const env = process.env.BRAID_COPY_METHOD;
      delete process.env.BRAID_COPY_METHOD;
      try {
        assert.equal(await chooseMethod(small), "node");
        assert.equal(await chooseMethod(large), process.platform === "linux" ? "parallel-cp" : "node");
        process.env.BRAID_COPY_METHOD = "tar";
        assert.equal(await chooseMethod(large), "tar");
      } finally {
        if (env === undefined) delete process.env.BRAID_COPY_METHOD;
        else process.env.BRAID_COPY_METHOD = env;
      }
    } finally {
      sb.cleanup();
    }
  });

  it("the tar pipe fails with tar's reason when the destination cannot be written", async () => {
    const sb = makeSandbox();
    try {
      const src = join(sb.root, "node_modules");
      awkwardTree(src, 3);
      const dst = join(sb.root, "node_modules-copy");
      mkdirSync(dst);
      writeFileSync(join(dst, "pkg0"), "a file where a folder must go\n");
      await assert.rejects(copyTreeWith("tar", src, dst), /tar failed: .*pkg0/);
    } finally {
      sb.cleanup();
    }
  });

  it("fails with the copier's reason when the destination cannot be written", async () => {
    const sb = makeSandbox();
    try {
      const src = join(sb.root, "node_modules");
      awkwardTree(src, 3);
      const parent = join(sb.root, "ro");
      mkdirSync(parent);
      const dst = join(parent, "node_modules");
      mkdirSync(dst);
      writeFileSync(join(dst, "pkg0"), "a file where a folder must go\n");
      await assert.rejects(copyTree(src, dst), /pkg0|exists|directory/i);
    } finally {
      sb.cleanup();
    }
  });
});
