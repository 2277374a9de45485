/** Formatting shared by every screen: sizes, times, hashes, durations, CSV. All pure. */

const BYTE_UNITS = ["kB", "MB", "GB", "TB", "PB"];

/**
 * A byte count for people, in decimal (SI) units as desktop file managers
 * show them: "0 bytes", "1 byte", "999 bytes", "1.5 kB", "12.3 MB", "140 GB".
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  if (n < 1000) {
    const whole = Math.round(n);
    return `${whole} ${whole === 1 ? "byte" : "bytes"}`;
  }
  let value = n;
  let unit = -1;
  do {
    value /= 1000;
    unit += 1;
  } while (value >= 999.95 && unit < BYTE_UNITS.length - 1);
  const digits = value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Parses an RFC 3339 time. Fractions beyond milliseconds (the vault stores
 * microseconds) are cut off first, as not every engine parses them.
 */
export function parseTime(iso: string): Date | null {
  const trimmed = iso.trim().replace(/(\.\d{3})\d+/, "$1");
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? null : date;
}

function offsetText(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0) return "+00:00";
  const sign = minutes > 0 ? "+" : "−";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2024-03-05 14:22:07 UTC" */
export function formatUtc(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`
  );
}

/** "2024-03-05 09:22:07 −05:00" in the machine's time zone. */
export function formatLocal(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offsetText(date)}`
  );
}

/**
 * An RFC 3339 time shown both in UTC (the record's own zone) and in local
 * time: "2024-03-05 14:22:07 UTC (local 2024-03-05 09:22:07 −05:00)".
 * A value that does not parse is returned unchanged, never hidden.
 */
export function formatTime(isoString: string): string {
  const date = parseTime(isoString);
  if (!date) return isoString;
  return `${formatUtc(date)} (local ${formatLocal(date)})`;
}

/**
 * An RFC 3339 time in UTC to the minute, for a table column headed "UTC":
 * "2024-03-05 14:22". A value that does not parse is returned unchanged.
 */
export function formatUtcMinute(isoString: string): string {
  const date = parseTime(isoString);
  if (!date) return isoString;
  return formatUtc(date).slice(0, 16);
}

/** The first 12 characters of a hex digest, followed by "…" when cut. */
export function shortHash(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}

/**
 * A rough duration for people: "less than a second", "3 minutes",
 * "2 months", "centuries".
 */
export function formatDuration(seconds: number): string {
  if (Number.isNaN(seconds)) return "—";
  if (seconds < 1) return "less than a second";
  const year = 365.2425 * 86400;
  const units: [number, string][] = [
    [100 * year, ""],
    [year, "year"],
    [year / 12, "month"],
    [86400, "day"],
    [3600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      if (!name) break;
      const whole = Math.floor(seconds / size);
      return `${whole} ${name}${whole === 1 ? "" : "s"}`;
    }
  }
  return "centuries";
}

function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * RFC 4180 CSV: fields holding a comma, a double quote, CR or LF are quoted
 * (quotes doubled), records end with CRLF. Values are written exactly as
 * given.
 */
export function toCsv(rows: string[][]): string {
  return rows.map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

/** A backend message as a sentence: capitalised, ending in a full stop. */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return "Something went wrong.";
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

const counts = new Intl.NumberFormat("en-US");

/** A count with a comma between thousands: "52,000". */
export function formatCount(n: number): string {
  return counts.format(n);
}

/** "1 file", "3 files", "52,000 files". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * Text made fit for a file name: lower case ASCII letters and digits, the
 * rest as single hyphens, at most 60 characters ("" when nothing is left):
 * "Halvorsen Dynamics v. Brandt" → "halvorsen-dynamics-v-brandt".
 */
export function fileSlug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
}

/** A local day as a file name gives it: "20260602". */
export function fileDay(date: Date): string {
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, "0")}${String(date.getDate()).padStart(2, "0")}`;
}
