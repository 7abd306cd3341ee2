/**
 * Business hours of a skill group: weekly opening intervals in an IANA time zone. Everything is
 * computed with Intl from the zone's rules, so a daylight-saving change moves the next opening's
 * instant, not its wall-clock time.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface ServiceHours {
  timeZone: string;
  /** Per day, [open, close] pairs of "HH:MM" (close may be "24:00"); a day left out is closed. */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
}

const OPEN_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const CLOSE_TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const MAX_INTERVALS_PER_DAY = 10;

const minutesOf = (time: string): number => (time === '24:00' ? 1440 : Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)));

/** The formatter of a zone; undefined when Intl does not know it. Formatters are costly to make. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(timeZone);
  if (formatter) return formatter;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return undefined;
  }
  // Bounded: zone names come from a signed API, but a map keyed by input must not grow without end.
  if (formatters.size < 1000) formatters.set(timeZone, formatter);
  return formatter;
}

/** An error text when `value` is no valid hours object; undefined when it is. */
export function checkHours(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'hours must be an object { timeZone, weekly }';
  const { timeZone, weekly } = value as Record<string, unknown>;
  if (typeof timeZone !== 'string' || timeZone.length > 64 || !formatterOf(timeZone)) return 'hours.timeZone must be an IANA time zone';
  if (!weekly || typeof weekly !== 'object' || Array.isArray(weekly)) return 'hours.weekly must be an object of days';
  for (const [day, intervals] of Object.entries(weekly)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return `hours.weekly.${day.slice(0, 16)} is not a day (mon … sun)`;
    if (!Array.isArray(intervals) || intervals.length > MAX_INTERVALS_PER_DAY) return `hours.weekly.${day} must be at most ${MAX_INTERVALS_PER_DAY} [open, close] pairs`;
    for (const interval of intervals) {
      if (!Array.isArray(interval) || interval.length !== 2 || typeof interval[0] !== 'string' || typeof interval[1] !== 'string'
        || !OPEN_TIME.test(interval[0]) || !CLOSE_TIME.test(interval[1]) || minutesOf(interval[0]) >= minutesOf(interval[1])) {
        return `hours.weekly.${day} pairs must be ["HH:MM", "HH:MM"], open before close (close up to "24:00")`;
      }
    }
  }
  return undefined;
}

/** The zone's wall clock at `time`, as the UTC instant with the same fields (seconds dropped). */
function wallClock(formatter: Intl.DateTimeFormat, time: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(time)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
}

/**
 * The first instant at which the zone's clock shows `wall` (a UTC instant standing for
 * wall-clock fields) or later: a time shown twice gives its first instant; a time skipped by a
 * change to summer time gives the instant of the jump, when the clock passes it (a group opening
 * at 02:30 on that night is open from 03:00, the clock's first minute after the gap).
 */
function instantOf(formatter: Intl.DateTimeFormat, wall: number): number {
  const offsetAt = (time: number) => wallClock(formatter, time) - Math.floor(time / 60_000) * 60_000;
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  const shown = [first, second].filter((time) => wallClock(formatter, time) === wall);
  if (shown.length) return Math.min(...shown);
  // In the gap: the clock shows less than `wall` at the earlier candidate and more at the later;
  // the jump lies between them (at most a few hours apart), found to the minute.
  let before = Math.min(first, second);
  let after = Math.max(first, second);
  while (after - before > 60_000) {
    const middle = before + Math.floor((after - before) / 120_000) * 60_000;
    if (wallClock(formatter, middle) >= wall) after = middle;
    else before = middle;
  }
  return after;
}

const DAY_MS = 86_400_000;

/** Whether the group is open at `now`, and when it next opens (0 while open, or when it never does). */
export function openingState(hours: ServiceHours | undefined, now = Date.now()): { open: boolean; nextOpening: number } {
  if (!hours) return { open: true, nextOpening: 0 };
  const formatter = formatterOf(hours.timeZone);
  if (!formatter) return { open: true, nextOpening: 0 };
  const wallNow = wallClock(formatter, now);
  const today = Math.floor(wallNow / DAY_MS) * DAY_MS;
  const minuteNow = (wallNow - today) / 60_000;
  const intervalsOn = (day: number) => hours.weekly[WEEKDAYS[new Date(day).getUTCDay()]!] ?? [];
  if (intervalsOn(today).some(([open, close]) => minutesOf(open) <= minuteNow && minuteNow < minutesOf(close))) {
    return { open: true, nextOpening: 0 };
  }
  // Eight days: today's later openings, then a week on, to today's weekday again.
  let next = 0;
  for (let offset = 0; offset <= 7 && next === 0; offset++) {
    const day = today + offset * DAY_MS;
    for (const [open] of intervalsOn(day)) {
      const instant = instantOf(formatter, day + minutesOf(open) * 60_000);
      if (instant > now && (next === 0 || instant < next)) next = instant;
    }
  }
  return { open: false, nextOpening: next };
}
