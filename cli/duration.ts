/** Durations as kubectl spells them (`90s`, `5m`, `1h30m`, `500ms`); a bare number is seconds. */
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text) * 1000;
  }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`invalid duration "${text}": use a number of seconds or units like 90s, 5m, 1h30m`);
  }
  return parts.reduce((total, [, value, unit]) => total + Number(value) * UNITS[unit], 0);
}
