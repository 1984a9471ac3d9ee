/**
 * Screens flicker: a redraw can show half a dialog or a spinner for one frame. A reading is reported only
 * once it has been seen `minCount` times in a row over at least `minMs`.
 */
import type { ScreenReading } from "./screen.js";

export interface DebounceOptions {
  /** Consecutive sightings needed (default 2). */
  minCount?: number;
  /** Time between the first and the latest sighting needed (default 0). */
  minMs?: number;
}

function key(r: ScreenReading): string {
  return `${r.state}:${r.detail ?? ""}`;
}

export class ScreenDebouncer {
  private readonly minCount: number;
  private readonly minMs: number;
  private candidate: { reading: ScreenReading; count: number; since: number } | undefined;
  private current: ScreenReading | null = null;

  constructor(opts: DebounceOptions = {}) {
    this.minCount = Math.max(1, opts.minCount ?? 2);
    this.minMs = Math.max(0, opts.minMs ?? 0);
  }

  /**
   * Feed one reading taken at `now`; returns the stable reading (null until one is stable). Inconclusive
   * (null) readings neither count nor reset: they carry no information.
   */
  push(reading: ScreenReading | null, now: number = Date.now()): ScreenReading | null {
    if (reading === null) return this.current;
    if (this.candidate && key(this.candidate.reading) === key(reading)) this.candidate.count++;
    else this.candidate = { reading, count: 1, since: now };
    if (this.candidate.count >= this.minCount && now - this.candidate.since >= this.minMs) this.current = reading;
    return this.current;
  }

  /** The last stable reading (null if none yet). */
  get stable(): ScreenReading | null {
    return this.current;
  }

  reset(): void {
    this.candidate = undefined;
    this.current = null;
  }
}
