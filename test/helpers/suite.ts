/**
 * Sandboxes for a whole describe block: call these in the describe body; they register the before/after hooks
 * that make and remove the sandbox. The paths are fixed up front, so tests can destructure them once
 * (`const { sb, repo } = useRepo();`) and use them as plain values.
 */
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { makeRepo, makeSandbox, type Sandbox } from "./env.js";

/** A sandbox (see makeSandbox) made before the block's tests and removed after them. */
export function useSandbox(prefix = "braid-test-"): Sandbox {
  const root = join(realpathSync(tmpdir()), `${prefix}${randomBytes(6).toString("hex")}`);
  let made: Sandbox | undefined;
  before(() => {
    made = makeSandbox(prefix, root);
  });
  after(() => made?.cleanup());
  const current = (): Sandbox => {
    if (!made) throw new Error(`sandbox ${root} used before its before() hook ran`);
    return made;
  };
  return {
    root,
    home: join(root, "home"),
    get env() {
      return current().env;
    },
    cleanup: () => current().cleanup(),
  };
}

/** useSandbox plus a real repo `name` in it with `files` committed (see makeRepo). */
export function useRepo(name = "app", files?: Record<string, string>): { sb: Sandbox; repo: string } {
  const sb = useSandbox();
  before(() => {
    makeRepo(sb, name, files);
  });
  return { sb, repo: join(sb.root, name) };
}
