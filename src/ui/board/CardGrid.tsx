/** Wide terminals: cards in cascade order left → right, wrapping into rows; scrolls by rows to keep the selection. */
import { Box } from "ink";
import type { SessionView } from "../../session/types.js";
import { CARD_HEIGHT, CARD_WIDTH, Card } from "./Card.js";

export function cardsPerRow(columns: number): number {
  return Math.max(1, Math.floor(columns / CARD_WIDTH));
}

export function CardGrid({
  views,
  selected,
  now,
  columns,
  height,
}: {
  views: SessionView[];
  selected: number;
  now: number;
  columns: number;
  height: number;
}) {
  const perRow = cardsPerRow(columns);
  const rowsFit = Math.max(1, Math.floor(height / CARD_HEIGHT));
  const rows: SessionView[][] = [];
  for (let i = 0; i < views.length; i += perRow) rows.push(views.slice(i, i + perRow));
  const selectedRow = Math.floor(selected / perRow);
  const first = Math.max(0, Math.min(selectedRow - rowsFit + 1, rows.length - rowsFit));
  return (
    <Box flexDirection="column">
      {rows.slice(first, first + rowsFit).map((row) => (
        <Box key={row[0]?.name}>
          {row.map((v) => (
            <Card key={v.name} view={v} selected={views[selected]?.name === v.name} now={now} />
          ))}
        </Box>
      ))}
    </Box>
  );
}
