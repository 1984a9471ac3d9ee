/**
 * Narrow terminals (80 columns): two lines per session, the same figures as a card.
 * Line 1: name, type, state, time in state, branch. Line 2: git figures, tokens/$, context, cpu/mem, notes, conflicts.
 */
import { Box, Text } from "ink";
import type { SessionView } from "../../session/types.js";
import {
  aheadBehind,
  changes,
  contextFull,
  contextText,
  NONE,
  resources,
  stateText,
  timeInState,
  tokensAndCost,
} from "./figures.js";
import { STATE_LOOK, TYPE_LOOK } from "./theme.js";

export const ROW_HEIGHT = 2;

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

export function CompactRow({ view, selected, now }: { view: SessionView; selected: boolean; now: number }) {
  const look = STATE_LOOK[view.state];
  const type = TYPE_LOOK[view.type];
  const waiting = view.state === "waiting";
  const res = resources(view);
  return (
    <Box flexDirection="column">
      <Box>
        <Box flexShrink={0}>
          <Text color="blueBright">{selected ? "▶ " : "  "}</Text>
          <Text bold inverse={selected}>
            {pad(`${view.order} ${view.name}`, 16)}
          </Text>
          <Text color={type.color}>{pad(`${type.tag}${view.agent ? `·${view.agent}` : ""}`, 16)}</Text>
          <Text color={look.color} bold={waiting} inverse={waiting}>
            {`${look.icon} ${stateText(view, look.label)}`}
          </Text>
          <Text>{" ".repeat(Math.max(1, 18 - stateText(view, look.label).length))}</Text>
          <Text dimColor>{pad(timeInState(view, now), 7)}</Text>
        </Box>
        <Text dimColor wrap="truncate">
          {view.detail ?? view.branch}
        </Text>
      </Box>
      <Box>
        <Box flexShrink={0} paddingLeft={4}>
          <Text>{pad(aheadBehind(view), 8)}</Text>
          <Text>{pad(changes(view), 14)}</Text>
          <Text>{pad(tokensAndCost(view), 16)}</Text>
          <Text color={contextFull(view) ? "red" : undefined} dimColor={!contextFull(view)}>
            {pad(contextText(view), 11)}
          </Text>
          <Text dimColor>{pad(res === NONE ? "" : res, 11)}</Text>
          <Text color="yellow">{pad(view.unreadNotes ? `✉${view.unreadNotes}` : "", 5)}</Text>
        </Box>
        <Text color="red" wrap="truncate">
          {view.conflictsWith.length ? `⚠ ${view.conflictsWith.join(",")}` : ""}
        </Text>
      </Box>
    </Box>
  );
}

export function CompactList({
  views,
  selected,
  now,
  height,
}: {
  views: SessionView[];
  selected: number;
  now: number;
  height: number;
}) {
  // keep the selected session visible when there are more sessions than fit
  const fit = Math.max(1, Math.floor(height / ROW_HEIGHT));
  const start = Math.max(0, Math.min(selected - fit + 1, views.length - fit));
  return (
    <Box flexDirection="column">
      {views.slice(start, start + fit).map((v) => (
        <CompactRow key={v.name} view={v} selected={views[selected]?.name === v.name} now={now} />
      ))}
    </Box>
  );
}
