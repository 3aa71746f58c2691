/**
 * Server-side SVG bar charts (no client script, CSP-safe). Labels are our own date strings and
 * numbers, but they are escaped anyway because the result is printed unescaped.
 */
interface Bar {
  label: string;
  value: number;
}

const WIDTH = 620;
const HEIGHT = 160;
const MARGIN_BOTTOM = 22;
const MARGIN_TOP = 14;

/** Text for SVG/XML content and attribute values (the charts are printed unescaped into pages and files). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function barChartSvg(bars: readonly Bar[], unit: string): string {
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const slot = bars.length === 0 ? WIDTH : WIDTH / bars.length;
  const plotHeight = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP;
  const parts: string[] = [];
  bars.forEach((bar, index) => {
    const height = max === 0 ? 0 : (bar.value / max) * plotHeight;
    const x = index * slot + slot * 0.15;
    const y = MARGIN_TOP + plotHeight - height;
    const value = Math.round(bar.value * 100) / 100;
    parts.push(`<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${height.toFixed(1)}"><title>${escapeXml(`${bar.label}: ${value} ${unit}`)}</title></rect>`);
    if (index % 5 === 0) parts.push(`<text x="${x.toFixed(1)}" y="${HEIGHT - 6}">${escapeXml(bar.label)}</text>`);
  });
  const maxLabel = `${Math.round(max * 100) / 100} ${unit}`;
  const summary = bars.map((bar) => `${bar.label} ${Math.round(bar.value * 100) / 100}`).join(', ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(`${unit}: ${summary}`)}"><text x="0" y="10">${escapeXml(maxLabel)}</text>${parts.join('')}</svg>`;
}
