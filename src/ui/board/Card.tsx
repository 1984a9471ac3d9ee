/** One session as a card: the wide layout puts these side by side, oldest on the left. */
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

export const CARD_WIDTH = 30;
/** Border (2) + 8 content lines. */
export const CARD_HEIGHT = 10;

const SERVICE_MARK: Record<string, string> = { ready: "✓", running: "✓", failed: "✗", exited: "·", stopped: "·" };

/** " :40000+2 web✓ db…" — the session's first port (and how many more) and its services (issue 18). */
function portsAndServices(view: SessionView): string {
  const p = view.ports ?? [];
  const ports = p.length ? ` :${p[0]}${p.length > 1 ? `+${p.length - 1}` : ""}` : "";
  const services = (view.services ?? [])
    .filter((s) => s.state !== "configured")
    .map((s) => `${s.name}${SERVICE_MARK[s.state] ?? "…"}`);
  return `${ports}${services.length ? ` ${services.join(" ")}` : ""}`;
}

export function Card({ view, selected, now }: { view: SessionView; selected: boolean; now: number }) {
  const look = STATE_LOOK[view.state];
  const type = TYPE_LOOK[view.type];
  const waiting = view.state === "waiting";
  const borderColor = selected ? "blueBright" : waiting ? "yellow" : type.color;
  return (
    <Box
      flexDirection="column"
      width={CARD_WIDTH}
      flexShrink={0}
      height={CARD_HEIGHT}
      borderStyle={selected ? "bold" : type.border}
      borderColor={borderColor}
      paddingX={1}
    >
      <Box justifyContent="space-between">
        <Text bold inverse={selected} wrap="truncate">
          {view.order} {view.name}
        </Text>
        <Text color={type.color} wrap="truncate">
          {type.tag}
          {view.agent ? `·${view.agent}` : ""}
        </Text>
      </Box>
      <Box justifyContent="space-between">
        <Text color={look.color} bold={waiting} inverse={waiting} wrap="truncate">
          {look.icon} {stateText(view, look.label)}
        </Text>
        <Text dimColor>{timeInState(view, now)}</Text>
      </Box>
      <Text dimColor wrap="truncate">
        {view.detail ?? view.branch}
      </Text>
      <Text wrap="truncate">
        {aheadBehind(view)} {changes(view)}
      </Text>
      <Text color={view.conflictsWith.length ? "red" : undefined} dimColor={!view.conflictsWith.length} wrap="truncate">
        {view.conflictsWith.length
          ? `⚠ ${view.conflictsWith.length}: ${view.conflictsWith.join(", ")}`
          : "no conflicts"}
      </Text>
      <Text color={view.unreadNotes ? "yellow" : undefined} dimColor={!view.unreadNotes} wrap="truncate">
        {view.unreadNotes ? `✉ ${view.unreadNotes} unread` : "✉ 0"}
        {portsAndServices(view)}
      </Text>
      <Text wrap="truncate">
        {tokensAndCost(view)}
        {contextText(view) ? <Text color={contextFull(view) ? "red" : undefined}> · {contextText(view)}</Text> : null}
      </Text>
      <Text dimColor wrap="truncate">
        {resources(view) === NONE ? "cpu/mem –" : `cpu/mem ${resources(view)}`}
      </Text>
    </Box>
  );
}
