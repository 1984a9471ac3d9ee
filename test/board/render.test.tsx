import assert from "node:assert/strict";
import { test } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { renderToString } from "ink";
import { render } from "ink-testing-library";
import { BoardView, type BoardViewProps } from "../../src/ui/board/BoardView.js";
import { boardData, NOW, VIEWS } from "../helpers/board-fixtures.js";

function props(p: Partial<BoardViewProps>): BoardViewProps {
  return {
    data: boardData(),
    mode: "main",
    selected: 0,
    now: NOW,
    columns: 80,
    rows: 24,
    prompt: null,
    message: null,
    ...p,
  };
}

/** 80-column frames through ink-testing-library (its terminal is 100 wide; the board sizes itself to 80). */
function frame80(p: Partial<BoardViewProps> = {}): string {
  const r = render(<BoardView {...props(p)} />);
  const out = stripVTControlCharacters(r.lastFrame() ?? "");
  r.unmount();
  return out;
}

function assertFits(out: string, columns: number, rows: number) {
  const lines = out.split("\n");
  assert.ok(lines.length <= rows - 1, `${lines.length} lines for ${rows} rows`);
  for (const l of lines) assert.ok([...l].length <= columns, `too wide (${[...l].length}): ${l}`);
}

test("80x24: a compact list in cascade order with every figure, fitting the screen", () => {
  const out = frame80();
  assertFits(out, 80, 24);
  assert.ok(!out.includes("╭"), "no cards at 80 columns");
  const at = VIEWS.map((v) => out.indexOf(`${v.order} ${v.name}`));
  assert.ok(
    at.every((i, k) => i >= 0 && (k === 0 || i > (at[k - 1] ?? 0))),
    `order: ${at}`,
  );
  assert.match(out, /1 waiting for you/, "header counts sessions waiting");
  assert.match(out, /❯ waiting for you\s+45s\s+permission prompt/);
  assert.match(out, /● working\s+3m12s/);
  assert.match(out, /✔ done\s+1h02m/);
  assert.match(out, /✘ failed\s+30s\s+exit 1/);
  assert.match(out, /⧗ queued #1/);
  assert.match(out, /↑3 ↓1\s+5f \+120 -8\s+234k tok \$0\.41\s+23% 310M\s+⚠ billing/);
  assert.match(out, /48k tok \$0\.09\s+1% 280M\s+✉2\s+⚠ auth/);
  assert.match(out, /research·claude/);
  assert.match(out, /running 2\/4\s+queue 1\s+· room for 1 more implementation session/);
  assert.match(out, /⏎ attach.*q quit/);
});

test("wide: cards side by side, oldest left, research in a double border, waiting card highlighted", () => {
  const out = stripVTControlCharacters(
    renderToString(<BoardView {...props({ columns: 200, rows: 40, selected: 2 })} />, { columns: 200 }),
  );
  assertFits(out, 200, 40);
  const nameLine = out.split("\n").find((l) => l.includes("1 auth")) ?? "";
  const cols = VIEWS.map((v) => nameLine.indexOf(`${v.order} ${v.name}`));
  assert.ok(
    cols.every((c, k) => c >= 0 && (k === 0 || c > (cols[k - 1] ?? 0))),
    `all six in one row, left to right: ${cols}`,
  );
  assert.ok(out.includes("╔") && out.includes("║ 6 research"), "research card has a double border");
  assert.ok(out.includes("┃ 3 search"), "selected card has a bold border");
  assert.match(out, /❯ waiting for you\s+45s/);
  assert.match(out, /⚠ 1: billing/);
  assert.match(out, /✉ 2 unread/);
  assert.match(out, /cpu\/mem 23% 310M/);
});

test("medium width wraps cards into rows and keeps the selected card on screen", () => {
  const out = stripVTControlCharacters(
    renderToString(<BoardView {...props({ columns: 120, rows: 16, selected: 5 })} />, { columns: 120 }),
  );
  assertFits(out, 120, 16);
  assert.ok(out.includes("╭") || out.includes("╔"), "cards at 120 columns");
  assert.ok(out.includes("6 research"), "the selected (last) card is visible");
  assert.ok(!out.includes("1 auth"), "the first row scrolled away (only one row of cards fits in 16 rows)");
});

test("80x24 with 15 sessions scrolls to keep the selection visible", () => {
  const many = Array.from({ length: 15 }, (_, i) => ({ ...VIEWS[0], order: i + 1, name: `s${i + 1}` })) as typeof VIEWS;
  const out = frame80({ data: boardData({ views: many }), selected: 14 });
  assertFits(out, 80, 24);
  assert.match(out, /▶ 15 s15/);
  assert.ok(!out.includes(" 1 s1 "), "oldest scrolled off");
});

test("conflict matrix and notes views", () => {
  const m = frame80({ mode: "conflicts" });
  const authRow = m.split("\n").find((l) => l.startsWith("auth")) ?? "";
  assert.match(authRow, /^auth\s+—\s+✗\s+·/, authRow);
  const n = frame80({ mode: "notes" });
  assert.match(n, /Notes \(1 unread\)/);
  assert.match(n, /● \d\d:\d\d auth → billing: I renamed User\.id to User\.uid/);
  assert.match(n, /research → all: the cache layer/);
});

test("empty project, a prompt, and a refresh error are shown", () => {
  assert.match(frame80({ data: boardData({ views: [] }) }), /No sessions yet\. Press n/);
  const p = frame80({ prompt: { kind: "new", fields: ["name", "type", "task"], answers: ["api"], value: "resea" } });
  assert.match(p, /api · type: resea/);
  assert.match(frame80({ data: boardData({ error: "refresh: git failed" }) }), /refresh: git failed/);
});

test("context window use: shown per session, flagged from 85%, in compact rows and cards", () => {
  const [a, b, ...rest] = VIEWS as [(typeof VIEWS)[0], (typeof VIEWS)[0], ...typeof VIEWS];
  const views = [{ ...a, contextPercent: 91 }, { ...b, contextPercent: 42 }, ...rest];
  const data = boardData({ views });
  const compact = frame80({ data });
  assertFits(compact, 80, 24);
  assert.match(compact, /⚠ ctx 91%/);
  assert.match(compact, /ctx 42%/);
  assert.ok(!compact.includes("⚠ ctx 42%"), "below 85% is not flagged");
  const wide = stripVTControlCharacters(
    renderToString(<BoardView {...props({ data, columns: 200, rows: 40 })} />, { columns: 200 }),
  );
  assert.match(wide, /⚠ ctx 91%/);
});

test("80x24 footer: a long recommendation gives way; the queue figures and every key stay whole", () => {
  const out = frame80({
    data: boardData({
      recommendation:
        "1 files → single session, standard mode · 3 live is over the guide's limit of 1 for this repository",
    }),
  });
  assertFits(out, 80, 24);
  const lines = out.split("\n");
  const figures = lines.find((l) => l.startsWith("running")) ?? "";
  assert.match(figures, /^running 2\/4 {2}queue 1 {2}· 1 files → single session.*…$/);
  assert.match(lines[lines.length - 1] ?? "", /^←→ select ⏎ attach .* q quit$/);
});
