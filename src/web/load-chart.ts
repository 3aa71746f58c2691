/**
 * The load chart: what each connector was allocated and what it drew, stacked, under the site's
 * limit, over a span of time (the day on the load page, an hour in the README). Server-side SVG
 * with presentation attributes only (no <style>, no script), so it renders under the strict CSP
 * and as a plain file on a code host.
 */
import { escapeXml } from './svg-chart';

export interface LoadPoint {
  atMs: number;
  valueW: number;
}

export interface ConnectorSeries {
  label: string;
  allocated: readonly LoadPoint[];
  drawn: readonly LoadPoint[];
}

export interface LoadChartInput {
  fromMs: number;
  toMs: number;
  /** Labels of the time axis are wall-clock times in this zone. */
  timeZone: string;
  limit: readonly LoadPoint[];
  connectors: readonly ConnectorSeries[];
  text: { allocated: string; drawn: string; limit: string; title: string };
}

const WIDTH = 760;
const PANEL_HEIGHT = 190;
const LEFT = 54;
const RIGHT = 24;
const TOP = 30;
const GAP = 46;
const LEGEND_HEIGHT = 40;
/** Distinguishable on light and dark backgrounds and for the common colour blindnesses (Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7F7F7F'];
const LIMIT_COLOUR = '#C0392B';
const AXIS_COLOUR = '#888888';

function kW(watts: number): string {
  return `${Math.round(watts / 100) / 10} kW`;
}

/** Each series' value at each sampled time (0 where it has no sample: not charging then). */
function onGrid(times: readonly number[], points: readonly LoadPoint[]): number[] {
  const byTime = new Map(points.map((point) => [point.atMs, point.valueW]));
  return times.map((time) => byTime.get(time) ?? 0);
}

function tickStepMs(spanMs: number): number {
  const hour = 3_600_000;
  if (spanMs <= 2 * hour) return 10 * 60_000;
  if (spanMs <= 8 * hour) return hour;
  return 3 * hour;
}

function clockLabel(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

export function loadChartSvg(input: LoadChartInput): string {
  const times = [...new Set([...input.limit, ...input.connectors.flatMap((series) => [...series.allocated, ...series.drawn])].map((point) => point.atMs))]
    .filter((time) => time >= input.fromMs && time <= input.toMs)
    .sort((a, b) => a - b);
  const allocated = input.connectors.map((series) => onGrid(times, series.allocated));
  const drawn = input.connectors.map((series) => onGrid(times, series.drawn));
  const limit = onGrid(times, input.limit);
  const stackTop = (stack: number[][]) => times.map((_, index) => stack.reduce((sum, values) => sum + values[index]!, 0));
  const maxW = Math.max(1000, ...limit, ...stackTop(allocated), ...stackTop(drawn)) * 1.08;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => LEFT + ((ms - input.fromMs) / Math.max(1, input.toMs - input.fromMs)) * plotWidth;
  const parts: string[] = [];

  const panel = (top: number, title: string, stack: number[][]) => {
    const y = (watts: number) => top + PANEL_HEIGHT - (watts / maxW) * PANEL_HEIGHT;
    parts.push(`<text x="${LEFT}" y="${top - 8}" font-size="13" font-weight="bold" fill="currentColor">${escapeXml(title)}</text>`);
    parts.push(`<line x1="${LEFT}" y1="${top + PANEL_HEIGHT}" x2="${WIDTH - RIGHT}" y2="${top + PANEL_HEIGHT}" stroke="${AXIS_COLOUR}"/>`);
    for (const fraction of [0, 0.25, 0.5, 0.75]) {
      const watts = (maxW / 1.08) * (fraction + 0.25);
      parts.push(`<line x1="${LEFT}" y1="${y(watts).toFixed(1)}" x2="${WIDTH - RIGHT}" y2="${y(watts).toFixed(1)}" stroke="${AXIS_COLOUR}" stroke-opacity="0.25"/>`);
      parts.push(`<text x="${LEFT - 4}" y="${(y(watts) + 4).toFixed(1)}" font-size="10" text-anchor="end" fill="currentColor">${escapeXml(kW(watts))}</text>`);
    }
    const below = times.map(() => 0);
    stack.forEach((values, index) => {
      if (times.length === 0) return;
      const upper = values.map((value, at) => below[at]! + value);
      const path = [
        ...times.map((time, at) => `${x(time).toFixed(1)},${y(upper[at]!).toFixed(1)}`),
        ...times.map((time, at) => `${x(time).toFixed(1)},${y(below[at]!).toFixed(1)}`).reverse(),
      ];
      parts.push(`<polygon points="${path.join(' ')}" fill="${PALETTE[index % PALETTE.length]}" fill-opacity="0.8"><title>${escapeXml(input.connectors[index]!.label)}</title></polygon>`);
      upper.forEach((value, at) => (below[at] = value));
    });
    if (times.length > 0) {
      const steps = times.flatMap((time, at) => {
        const next = times[at + 1] ?? time;
        return [`${x(time).toFixed(1)},${y(limit[at]!).toFixed(1)}`, `${x(next).toFixed(1)},${y(limit[at]!).toFixed(1)}`];
      });
      parts.push(`<polyline points="${steps.join(' ')}" fill="none" stroke="${LIMIT_COLOUR}" stroke-width="2" stroke-dasharray="6 3"><title>${escapeXml(input.text.limit)}</title></polyline>`);
    }
  };

  panel(TOP, input.text.allocated, allocated);
  panel(TOP + PANEL_HEIGHT + GAP, input.text.drawn, drawn);

  const axisY = TOP + 2 * PANEL_HEIGHT + GAP;
  const step = tickStepMs(input.toMs - input.fromMs);
  for (let tick = Math.ceil(input.fromMs / step) * step; tick <= input.toMs; tick += step) {
    parts.push(`<text x="${x(tick).toFixed(1)}" y="${axisY + 14}" font-size="10" text-anchor="middle" fill="currentColor">${escapeXml(clockLabel(tick, input.timeZone))}</text>`);
  }
  let legendY = axisY + 32;
  let legendX = LEFT;
  parts.push(`<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 18}" y2="${legendY - 4}" stroke="${LIMIT_COLOUR}" stroke-width="2" stroke-dasharray="6 3"/>`);
  parts.push(`<text x="${legendX + 22}" y="${legendY}" font-size="11" fill="currentColor">${escapeXml(input.text.limit)}</text>`);
  legendX += 30 + input.text.limit.length * 6.5;
  input.connectors.forEach((series, index) => {
    const widthPx = 26 + series.label.length * 6.5;
    if (legendX + widthPx > WIDTH - RIGHT) {
      legendX = LEFT;
      legendY += 16;
    }
    parts.push(`<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${PALETTE[index % PALETTE.length]}"/>`);
    parts.push(`<text x="${legendX + 16}" y="${legendY}" font-size="11" fill="currentColor">${escapeXml(series.label)}</text>`);
    legendX += widthPx;
  });
  const height = legendY + LEGEND_HEIGHT / 2;
  const summary = `${input.text.title}: ${input.text.limit} ${kW(Math.max(0, ...limit))}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(summary)}" font-family="sans-serif">${parts.join('')}</svg>`;
}
