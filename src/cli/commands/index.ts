/**
 * Every command, in help order, loaded on demand: a run imports only the module of the command it
 * names (each pulls in its own domain code), so start-up stays near bare node. Help, unknown words and
 * suggestions load them all. Add one line per command module.
 */
import type { Command } from "commander";
import { isTopLevelHelp, readHelpIndex, registerHelpStandIns } from "../help-index.js";

type Register = (program: Command) => void;

const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ["demo", () => import("./demo.js").then((m) => m.registerDemo)],
  ["new", () => import("./new.js").then((m) => m.registerNew)],
  ["ls", () => import("./ls.js").then((m) => m.registerLs)],
  ["pool", () => import("./pool.js").then((m) => m.registerPool)],
  ["rm", () => import("./rm.js").then((m) => m.registerRm)],
  ["recommend", () => import("./recommend.js").then((m) => m.registerRecommend)],
  ["trust", () => import("./trust.js").then((m) => m.registerTrust)],
  ["config", () => import("./config.js").then((m) => m.registerConfig)],
  ["doctor", () => import("./doctor.js").then((m) => m.registerDoctor)],
  ["start", () => import("./start.js").then((m) => m.registerStart)],
  ["status", () => import("./status.js").then((m) => m.registerStatus)],
  ["attach", () => import("./attach.js").then((m) => m.registerAttach)],
  ["send", () => import("./send.js").then((m) => m.registerSend)],
  ["stop", () => import("./stop.js").then((m) => m.registerStop)],
  ["restart", () => import("./restart.js").then((m) => m.registerRestart)],
  ["logs", () => import("./logs.js").then((m) => m.registerLogs)],
  ["shell", () => import("./shell.js").then((m) => m.registerShell)],
  ["refresh", () => import("./refresh.js").then((m) => m.registerRefresh)],
  ["hook", () => import("./hook.js").then((m) => m.registerHook)],
  ["_pump", () => import("./pump.js").then((m) => m.registerPump)],
  ["_watch", () => import("./watch.js").then((m) => m.registerWatch)],
  ["_sandbox-sync", () => import("./sandbox-sync.js").then((m) => m.registerSandboxSync)],
  ["note", () => import("./note.js").then((m) => m.registerNote)],
  ["notes", () => import("./notes.js").then((m) => m.registerNotes)],
  ["learn", () => import("./learn.js").then((m) => m.registerLearn)],
  ["memory", () => import("./memory.js").then((m) => m.registerMemory)],
  ["conflicts", () => import("./conflicts.js").then((m) => m.registerConflicts)],
  ["merge", () => import("./merge.js").then((m) => m.registerMerge)],
  ["finish", () => import("./finish.js").then((m) => m.registerFinish)],
  ["clean", () => import("./clean.js").then((m) => m.registerClean)],
  ["cost", () => import("./cost.js").then((m) => m.registerCost)],
  ["board", () => import("./board.js").then((m) => m.registerBoard)],
  ["swarm", () => import("./swarm.js").then((m) => m.registerSwarm)],
  ["fork", () => import("./fork.js").then((m) => m.registerFork)],
  ["plan", () => import("./plan.js").then((m) => m.registerPlan)],
  ["host", () => import("./host.js").then((m) => m.registerHost)],
  ["_host", () => import("./host-side.js").then((m) => m.registerHostSide)],
  ["serve", () => import("./serve.js").then((m) => m.registerServe)],
  ["completion", () => import("./completion.js").then((m) => m.registerCompletion)],
  ["__complete", () => import("./completion.js").then((m) => m.registerComplete)],
];

/** Register the command `argv` names, or every command when it names none (help, typos). */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const index = isTopLevelHelp(argv) ? readHelpIndex() : null;
  if (index) return registerHelpStandIns(program, index);
  const named = COMMANDS.find(([name]) => name === argv[0]);
  // `completion` describes every command, so it needs them all registered (help and typos too).
  const chosen = named && argv[0] !== "completion" ? [named] : COMMANDS;
  const registers = await Promise.all(chosen.map(([, load]) => load()));
  for (const register of registers) register(program);
}
