/**
 * The interactive board: holds selection, mode and prompts, turns keys into actions, and re-renders when the
 * data source pushes new data. Attaching and the diff pager need the real terminal, so they end the board with
 * an exit intent; the runner does the job and mounts the board again (selection kept).
 */
import { Box, type Key, useApp, useInput, useStdout } from "ink";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { SESSION_TYPES, type SessionType } from "../../project/state.js";
import { BoardView, isCompact } from "./BoardView.js";
import { cardsPerRow } from "./CardGrid.js";
import type { BoardData, BoardMode, PromptState } from "./model.js";
import { typeIntoPrompt } from "./prompt-input.js";

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

interface UiState {
  selectedName: string | null;
  mode: BoardMode;
  prompt: PromptState | null;
  confirm: Confirm | null;
  message: string | null;
}

const PROMPTS: Record<PromptState["kind"], string[]> = {
  new: ["new session name", `type (${SESSION_TYPES.join("/")}, empty = implementation)`, "task"],
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
  const size$ = useTerminalSize(size);
  // Keys can arrive faster than React re-subscribes the input handler, so the handler must never read state
  // captured by its closure: UI state lives in a ref (updated synchronously, then a re-render is forced).
  const ui = useRef<UiState>({
    selectedName: initialSelected,
    mode: "main",
    prompt: null,
    confirm: null,
    message: initialMessage,
  });
  const dataRef = useRef<BoardData>(source.current());
  const sizeRef = useRef(size$);
  sizeRef.current = size$;
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [now, setNow] = useState(clock);
  const waitingBefore = useRef<Set<string> | null>(null);

  const set = useCallback((patch: Partial<UiState>) => {
    ui.current = { ...ui.current, ...patch };
    redraw();
  }, []);

  useEffect(
    () =>
      source.subscribe((d) => {
        dataRef.current = d;
        // Bell once per session that newly starts waiting (not for those already waiting when the board opened).
        const waiting = new Set(d.views.filter((v) => v.state === "waiting").map((v) => v.name));
        if (bell && waitingBefore.current && [...waiting].some((n) => !waitingBefore.current?.has(n))) {
          stdout.write("\x07");
        }
        waitingBefore.current = waiting;
        redraw();
      }),
    [source, bell, stdout],
  );
  useEffect(() => {
    waitingBefore.current = new Set(dataRef.current.views.filter((v) => v.state === "waiting").map((v) => v.name));
    const t = setInterval(() => setNow(clock()), 1000);
    return () => clearInterval(t);
  }, [clock]);

  const selection = () => {
    const views = dataRef.current.views;
    const found = views.findIndex((v) => v.name === ui.current.selectedName);
    const index = Math.max(found, 0);
    return { views, index, current: views[index] };
  };

  const leave = (e: BoardExit) => {
    onExit(e, selection().current?.name ?? null);
    exit();
  };

  const run = (label: string, job: () => Promise<string>) => {
    set({ message: `${label}…` });
    job()
      .then((outcome) => set({ message: outcome }))
      .catch((e: unknown) => set({ message: `✘ ${(e as Error).message}` }))
      .finally(() => source.poke());
  };

  const finishPrompt = (p: PromptState) => {
    const a = p.answers;
    const { current } = selection();
    if (p.kind === "new") {
      const [name = "", typeText = "", task = ""] = a;
      const type = SESSION_TYPES.find((t) => t.startsWith(typeText.trim() || "implementation"));
      if (!type) return set({ message: `✘ unknown type "${typeText}" — use ${SESSION_TYPES.join(", ")}` });
      run(`creating ${name}`, () => actions.create(name.trim(), type, task));
    } else if (p.kind === "send" && current) {
      const name = current.name;
      run(`sending to ${name}`, () => actions.send(name, a[0] ?? ""));
    } else if (p.kind === "note") {
      const to = (a[0] ?? "").trim() || null;
      run("posting note", () => actions.postNote(a[1] ?? "", to));
    }
  };

  const onKey = (input: string, key: Key) => {
    const { prompt, confirm, mode } = ui.current;
    if (prompt) {
      const step = typeIntoPrompt(prompt, input, key);
      set({ prompt: step.prompt });
      if (step.submitted) finishPrompt(step.submitted);
      return;
    }
    if (confirm) {
      set({ confirm: null });
      if (input !== "y" && input !== "Y") return set({ message: "cancelled" });
      if (confirm.kind === "merge") run(`merging ${confirm.session}`, () => actions.merge(confirm.session));
      else run(`stopping ${confirm.session}`, () => actions.stop(confirm.session));
      return;
    }
    if (input === "q" || (key.ctrl && input === "c")) return leave({ kind: "quit" });
    if (key.escape) return set({ mode: "main" });
    if (input === "c") return set({ mode: mode === "conflicts" ? "main" : "conflicts" });
    if (input === "o") return set({ mode: mode === "notes" ? "main" : "notes" });
    if (input === "n") return set({ prompt: { kind: "new", fields: PROMPTS.new, answers: [], value: "" } });
    if (mode === "notes" && input === "p") {
      return set({ prompt: { kind: "note", fields: PROMPTS.note, answers: [], value: "" } });
    }
    const { views, index, current } = selection();
    if (!current) return;
    const { columns, rows } = sizeRef.current;
    const step = isCompact(columns, rows) ? 1 : cardsPerRow(columns);
    const move = (d: number) => {
      const next = views[Math.max(0, Math.min(views.length - 1, index + d))];
      if (next) set({ selectedName: next.name });
    };
    if (key.leftArrow) move(-1);
    else if (key.rightArrow) move(1);
    else if (key.upArrow) move(-step);
    else if (key.downArrow) move(step);
    else if (key.return) leave({ kind: "attach", session: current.name });
    else if (input === "d") leave({ kind: "diff", session: current.name });
    else if (input === "s")
      set({ prompt: { kind: "send", fields: [`send to ${current.name}`], answers: [], value: "" } });
    else if (input === "m") {
      set({
        confirm: { kind: "merge", session: current.name },
        message: `merge ${current.name} into ${current.baseRef} via the merge train? (y/n)`,
      });
    } else if (input === "x") {
      set({
        confirm: { kind: "stop", session: current.name },
        message: `stop ${current.name}'s agent? its worktree and commits stay (y/n)`,
      });
    }
  };
  useInput(onKey);

  const { index } = selection();
  const { mode, prompt, message } = ui.current;
  const data = dataRef.current;
  const { columns, rows } = size$;
  return (
    <Box>
      <BoardView
        data={data}
        mode={mode}
        selected={index}
        now={now}
        columns={columns}
        rows={rows}
        prompt={prompt}
        message={message}
      />
    </Box>
  );
}
