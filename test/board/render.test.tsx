import assert from "node:assert/strict";
import { test } from "node:test";
import { render } from "ink-testing-library";
import { BoardView, type BoardViewProps } from "../../src/ui/board/BoardView.js";
import { boardData, NOW } from "../helpers/board-fixtures.js";

function frame(p: Partial<BoardViewProps>): string {
  const props: BoardViewProps = {
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
  const r = render(<BoardView {...props} />);
  const out = r.lastFrame() ?? "";
  r.unmount();
  return out;
}

test("dump", () => {
  console.log(frame({}));
  console.log(frame({ columns: 200, rows: 40, selected: 1 }));
  console.log(frame({ mode: "conflicts" }));
  console.log(frame({ mode: "notes" }));
});
