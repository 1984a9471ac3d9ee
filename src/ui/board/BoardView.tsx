/**
 * The whole board as a pure function of its data: header, the sessions (cards when wide, a compact list when
 * narrow), or the conflict/notes view, then the footer. Never taller than `rows - 1`, so ink rewrites lines in
 * place instead of clearing the screen (no flicker).
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { CARD_HEIGHT, CARD_WIDTH } from "./Card.js";
import { CardGrid } from "./CardGrid.js";
import { CompactList } from "./CompactList.js";
import { ConflictMatrix } from "./ConflictMatrix.js";
import { Footer } from "./Footer.js";
import { type BoardData, type BoardMode, type PromptState, queueFigures } from "./model.js";
import { NotesView } from "./NotesView.js";
import { PromptLine } from "./PromptLine.js";

export interface BoardViewProps {
  data: BoardData;
  mode: BoardMode;
  selected: number;
  now: number;
  columns: number;
  rows: number;
  prompt: PromptState | null;
  message: string | null;
}

/** Cards need room for at least three side by side and one full row. */
export function isCompact(columns: number, rows: number): boolean {
  return columns < CARD_WIDTH * 3 + 10 || rows < CARD_HEIGHT + 5;
}

export function BoardView({ data, mode, selected, now, columns, rows, prompt, message }: BoardViewProps) {
  const bodyHeight = Math.max(2, rows - 1 - 1 - 2 - (prompt ? 1 : 0));
  const waiting = data.views.filter((v) => v.state === "waiting").length;
  const sel = data.views[selected];
  let body: ReactNode;
  if (data.views.length === 0 && mode === "main") {
    body = <Text dimColor>{"No sessions yet. Press n to start one (or run `braid new <name>`)."}</Text>;
  } else if (mode === "conflicts") {
    body = <ConflictMatrix views={data.views} width={columns} />;
  } else if (mode === "notes") {
    body = <NotesView notes={data.notes} height={bodyHeight} />;
  } else if (isCompact(columns, rows)) {
    body = <CompactList views={data.views} selected={selected} now={now} height={bodyHeight} />;
  } else {
    body = <CardGrid views={data.views} selected={selected} now={now} columns={columns} height={bodyHeight} />;
  }
  return (
    <Box flexDirection="column" width={columns}>
      <Box justifyContent="space-between">
        <Text bold wrap="truncate">
          braid · {data.project} · {data.views.length} session{data.views.length === 1 ? "" : "s"}
          {waiting ? <Text color="yellow" inverse>{` ${waiting} waiting for you `}</Text> : null}
        </Text>
        <Text dimColor wrap="truncate">
          {sel ? `${sel.name} ${sel.branch}` : ""}
        </Text>
      </Box>
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        {body}
      </Box>
      {prompt ? <PromptLine prompt={prompt} /> : null}
      <Footer
        queue={queueFigures(data.views, data.limit)}
        recommendation={data.recommendation}
        message={message}
        error={data.error}
      />
    </Box>
  );
}
