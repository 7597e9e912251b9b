// Number and time formatting for the dashboard (figures arrive as numbers or decimal strings; null is "—").
export const DASH = '—';
const present = (x) => x !== null && x !== undefined && x !== '' && Number.isFinite(Number(x));

/** 1234567 → "1.23M"; keeps small numbers readable. */
export function compact(x) {
  if (!present(x)) return DASH;
  const n = Number(x);
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e5) return `${(n / 1e3).toFixed(0)}k`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}

/** A ratio (0.0123) as percent ("1.23 %"). */
export const pct = (r, digits = 2) => (present(r) ? `${(Number(r) * 100).toFixed(digits)} %` : DASH);
/** A ratio as basis points. */
export const bps = (r, digits = 1) => (present(r) ? `${(Number(r) * 10_000).toFixed(digits)} bps` : DASH);
export const price = (x) => (present(x) ? Number(x).toPrecision(6) : DASH);
export const seconds = (x) => (present(x) ? `${Number(x).toFixed(1)} s` : DASH);
export const money = (x, unit = '') => (present(x) ? `${Number(x).toLocaleString('en-US', { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ''}` : DASH);

/** Epoch ms or ISO → "2026-12-03 11:20:05" (UTC). */
export function time(t) {
  const d = new Date(typeof t === 'string' ? Date.parse(t) : t);
  return Number.isNaN(d.getTime()) ? DASH : d.toISOString().replace('T', ' ').slice(0, 19);
}

/** How long ago, for the live indicator: "0.8 s", "12 s", "3 min". */
export function ago(ms) {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
