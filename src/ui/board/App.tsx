/**
 * The interactive board: holds selection, mode and prompts, turns keys into actions, and re-renders when the
 * data source pushes new data. Attaching and the diff pager need the real terminal, so they end the board with
 * an exit intent; the runner does the job and mounts the board again (selection kept).
 */
import { Box, useApp, useInput, useStdout } from "ink";
import { useCallback, useEffect, useRef, useState } from "react";
import { SESSION_TYPES, type SessionType } from "../../project/state.js";
import { BoardView, isCompact } from "./BoardView.js";
import { cardsPerRow } from "./CardGrid.js";
import type { BoardData, BoardMode, PromptState } from "./model.js";

/** Everything the board can ask the rest of braid to do. Each resolves with a one-line outcome to show. */
export interface BoardActions {
  create(name: string, type: SessionType, task: string): Promise<string>;
  send(session: string, text: string): Promise<string>;
  merge(session: string): Promise<string>;
  stop(session: string): Promise<string>;
  postNote(text: string, to: string | null): Promise<string>;
}

/** Pushes board data; `subscribe` returns the unsubscribe function. */
export interface BoardSource {
  current(): BoardData;
  subscribe(listener: (data: BoardData) => void): () => void;
  /** Ask for a refresh now (after an action). */
  poke(): void;
}

export type BoardExit = { kind: "quit" } | { kind: "attach"; session: string } | { kind: "diff"; session: string };

export interface AppProps {
  source: BoardSource;
  actions: BoardActions;
  onExit: (exit: BoardExit, selectedName: string | null) => void;
  initialSelected?: string | null;
  /** Ring the terminal bell when a session starts waiting for the user. */
  bell?: boolean;
  /** Fixed terminal size (tests); default: the real terminal's. */
  size?: { columns: number; rows: number };
  /** Clock (tests). */
  clock?: () => number;
  /** A message to show on mount (e.g. the outcome of an attach). */
  initialMessage?: string | null;
}

type Confirm = { kind: "merge" | "stop"; session: string };

const PROMPTS: Record<PromptState["kind"], string[]> = {
  new: ["name", `type (${SESSION_TYPES.join("/")})`, "task"],
  send: ["send"],
  note: ["to (empty = all)", "note"],
};

function useTerminalSize(fixed?: { columns: number; rows: number }) {
  const { stdout } = useStdout();
  const read = useCallback(() => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 }, [fixed, stdout]);
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [fixed, read, stdout]);
  return size;
}

export function App({
  source,
  actions,
  onExit,
  initialSelected = null,
  bell = false,
  size,
  clock = Date.now,
  initialMessage = null,
}: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const { columns, rows } = useTerminalSize(size);
  const [data, setData] = useState<BoardData>(() => source.current());
  const [selectedName, setSelectedName] = useState<string | null>(initialSelected);
  const [mode, setMode] = useState<BoardMode>("main");
  const [prompt, setPrompt] = useState<PromptState | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [message, setMessage] = useState<string | null>(initialMessage);
  const [now, setNow] = useState(clock);
  const waitingBefore = useRef<Set<string> | null>(null);

  useEffect(() => source.subscribe(setData), [source]);
  useEffect(() => {
    const t = setInterval(() => setNow(clock()), 1000);
    return () => clearInterval(t);
  }, [clock]);

  // Bell once per session that newly starts waiting (not for those already waiting when the board opened).
  useEffect(() => {
    const waiting = new Set(data.views.filter((v) => v.state === "waiting").map((v) => v.name));
    if (bell && waitingBefore.current && [...waiting].some((n) => !waitingBefore.current?.has(n))) stdout.write("\x07");
    waitingBefore.current = waiting;
  }, [bell, data, stdout]);

  const views = data.views;
  const found = views.findIndex((v) => v.name === selectedName);
  const selected = found >= 0 ? found : 0;
  const current = views[selected];

  const leave = (e: BoardExit) => {
    onExit(e, current?.name ?? null);
    exit();
  };

  const run = (label: string, job: () => Promise<string>) => {
    setMessage(`${label}…`);
    job()
      .then((outcome) => setMessage(outcome))
      .catch((e: unknown) => setMessage(`✘ ${(e as Error).message}`))
      .finally(() => source.poke());
  };

  const finishPrompt = (p: PromptState) => {
    const a = p.answers;
    if (p.kind === "new") {
      const [name = "", typeText = "", task = ""] = a;
      const type = (SESSION_TYPES.find((t) => t.startsWith(typeText.trim() || "implementation")) ??
        null) as SessionType | null;
      if (!type) return setMessage(`✘ unknown type "${typeText}" — use ${SESSION_TYPES.join(", ")}`);
      run(`creating ${name}`, () => actions.create(name.trim(), type, task));
    } else if (p.kind === "send" && current) {
      const name = current.name;
      run(`sending to ${name}`, () => actions.send(name, a[0] ?? ""));
    } else if (p.kind === "note") {
      const to = (a[0] ?? "").trim() || null;
      run("posting note", () => actions.postNote(a[1] ?? "", to));
    }
  };

  useInput((input, key) => {
    if (prompt) {
      if (key.escape) return setPrompt(null);
      if (key.return) {
        const answers = [...prompt.answers, prompt.value];
        if (answers.length < prompt.fields.length) return setPrompt({ ...prompt, answers, value: "" });
        setPrompt(null);
        return finishPrompt({ ...prompt, answers });
      }
      if (key.backspace || key.delete) return setPrompt({ ...prompt, value: prompt.value.slice(0, -1) });
      if (input && !key.ctrl && !key.meta) setPrompt({ ...prompt, value: prompt.value + input });
      return;
    }
    if (confirm) {
      setConfirm(null);
      if (input !== "y" && input !== "Y") return setMessage("cancelled");
      const { kind, session } = confirm;
      if (kind === "merge") run(`merging ${session}`, () => actions.merge(session));
      else run(`stopping ${session}`, () => actions.stop(session));
      return;
    }
    if (input === "q" || (key.ctrl && input === "c")) return leave({ kind: "quit" });
    if (key.escape) return setMode("main");
    if (input === "c") return setMode(mode === "conflicts" ? "main" : "conflicts");
    if (input === "o") return setMode(mode === "notes" ? "main" : "notes");
    if (input === "n") return setPrompt({ kind: "new", fields: PROMPTS.new, answers: [], value: "" });
    if (mode === "notes" && input === "p")
      return setPrompt({ kind: "note", fields: PROMPTS.note, answers: [], value: "" });
    if (!current) return;
    const step = isCompact(columns, rows) ? 1 : cardsPerRow(columns);
    const move = (d: number) => {
      const next = views[Math.max(0, Math.min(views.length - 1, selected + d))];
      if (next) setSelectedName(next.name);
    };
    if (key.leftArrow) move(-1);
    else if (key.rightArrow) move(1);
    else if (key.upArrow) move(-step);
    else if (key.downArrow) move(step);
    else if (key.return) leave({ kind: "attach", session: current.name });
    else if (input === "d") leave({ kind: "diff", session: current.name });
    else if (input === "s") setPrompt({ kind: "send", fields: [`send to ${current.name}`], answers: [], value: "" });
    else if (input === "m") {
      setConfirm({ kind: "merge", session: current.name });
      setMessage(`merge ${current.name} into ${current.baseRef} via the merge train? (y/n)`);
    } else if (input === "x") {
      setConfirm({ kind: "stop", session: current.name });
      setMessage(`stop ${current.name}'s agent? its worktree and commits stay (y/n)`);
    }
  });

  return (
    <Box>
      <BoardView
        data={data}
        mode={mode}
        selected={selected}
        now={now}
        columns={columns}
        rows={rows}
        prompt={prompt}
        message={message}
      />
    </Box>
  );
}
