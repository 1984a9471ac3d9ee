/**
 * The environment a sandboxed agent gets: only what agents need (their API settings, PATH, locale, the
 * terminal, braid's own variables, proxies and certificates), not every secret the user's shell holds.
 * It reaches bubblewrap as the process environment, never as argv.
 */
const KEEP = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TERM",
  "COLORTERM",
  "TZ",
  "LANG",
  "EDITOR",
  "VISUAL",
  "NO_COLOR",
  "FORCE_COLOR",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "GIT_CONFIG_NOSYSTEM",
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "DISABLE_AUTOUPDATER",
  "DISABLE_TELEMETRY",
  "DISABLE_ERROR_REPORTING",
  "DISABLE_BUG_COMMAND",
]);

const KEEP_PREFIXES = ["ANTHROPIC_", "CLAUDE_", "BRAID_", "LC_", "XDG_", "OPENAI_", "GEMINI_", "GOOGLE_", "AIDER_"];

/** `env` filtered for the sandbox; `extra`: names the user or the agent unit asked for explicitly. */
export function sandboxEnv(env: Record<string, string>, extra: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (KEEP.has(k) || extra.includes(k) || KEEP_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  }
  // Claude Code allows bypassPermissions as root only when told it is sandboxed; here it is.
  out.IS_SANDBOX = "1";
  // braid's own commands inside take their project from BRAID_* (project/identity.ts), not from git.
  out.BRAID_SANDBOXED = "1";
  return out;
}
