import path from 'node:path';
import { create, type ExpressHandlebars } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';
import { parseFlags } from '../sessions';
import { formatMoney, formatPhone } from '../shared';
import { hasMessage, INTL_LOCALE, isUiLanguage, translator, type UiLanguage } from './i18n';
import { formatDateTime, formatNumber } from './formats';
import { jobSummaryText, jobTitle } from './job-words';
import { viewsDir } from './paths';

/**
 * What every template can rely on in its root context (set by the locals middleware):
 * the language, the site's time zone and currency. Helpers format through Intl with them.
 */
interface ViewRoot {
  lang: UiLanguage;
  timeZone: string;
  currency: string;
}

function rootOf(options: HelperOptions): ViewRoot {
  const root = (options.data as { root?: Partial<ViewRoot> } | undefined)?.root ?? {};
  return { lang: isUiLanguage(root.lang) ? root.lang : 'en', timeZone: root.timeZone ?? 'UTC', currency: root.currency ?? 'INR' };
}

/** Handlebars passes its options object as the last argument of every helper. */
function splitArgs(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}


const helpers = {
  /** {{t "login.locked" minutes=15}}: a catalogue message in the viewer's language. */
  t(key: string, options: HelperOptions): string {
    return translator(rootOf(options).lang)(key, options.hash as Record<string, unknown>);
  },
  /**
   * {{fieldError name error}}: a field's error in the viewer's language. A message key is translated;
   * a validation rule's English wording ("must be …", "required") gives way to the field's own
   * message (validation.<name>) when the catalogue has one.
   */
  fieldError(name: unknown, error: unknown, options: HelperOptions): string {
    if (typeof error !== 'string' || error === '') return '';
    const t = translator(rootOf(options).lang);
    if (/^[a-zA-Z]+\.[\w.-]+$/.test(error)) return t(error);
    const rule = /^(must |required$|is not )/.test(error);
    if (rule && typeof name === 'string' && hasMessage(`validation.${name}`)) return t(`validation.${name}`);
    return error;
  },
  /** {{money amountMinor}}: Intl currency format, lakh grouping for INR. */
  money(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const amount = values[0];
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) return '—';
    const root = rootOf(options);
    const currency = typeof values[1] === 'string' ? values[1] : root.currency;
    return formatMoney(amount, currency, INTL_LOCALE[root.lang]);
  },
  /** {{intlLocale}}: the Intl locale of the page's language, for scripts that format numbers as the server does. */
  intlLocale(...args: unknown[]): string {
    return INTL_LOCALE[rootOf(splitArgs(args).options).lang];
  },
  /** {{dateTime iso}}: a UTC instant shown in the site's time zone. */
  dateTime(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const iso = values[0];
    if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '—';
    const root = rootOf(options);
    return formatDateTime(iso, root.lang, root.timeZone);
  },
  /** {{kWh energyWh}}: watt-hours shown as kWh with up to 3 decimals. */
  kWh(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const wh = values[0];
    if (typeof wh !== 'number') return '—';
    return `${formatNumber(wh / 1000, rootOf(options).lang, 3)} kWh`;
  },
  /** {{phoneNumber driver.phone}}: an E.164 number grouped for reading (+91 98140 12345). */
  phoneNumber(...args: unknown[]): string {
    const { values } = splitArgs(args);
    return typeof values[0] === 'string' ? formatPhone(values[0]) : '—';
  },
  /** {{kW watts}}: power in kW with one decimal (CONTRACT: watts on the wire, kW for people). */
  kW(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const watts = values[0];
    if (typeof watts !== 'number') return '—';
    return `${formatNumber(watts / 1000, rootOf(options).lang, 1)} kW`;
  },
  number(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const value = values[0];
    return typeof value === 'number' ? formatNumber(value, rootOf(options).lang) : '—';
  },
  /** {{t (concat "chargers." registration)}}: builds a catalogue key from parts. */
  concat(...args: unknown[]): string {
    return splitArgs(args).values.map(String).join('');
  },
  /** {{hours seconds}}: a duration in hours with one decimal. */
  hours(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const seconds = values[0];
    if (typeof seconds !== 'number') return '—';
    return `${formatNumber(seconds / 3600, rootOf(options).lang, 1)} h`;
  },
  /** {{url id}}: one path segment or query value, percent-encoded (charger ids may hold ? # % and spaces). */
  url(...args: unknown[]): string {
    const { values } = splitArgs(args);
    return encodeURIComponent(String(values[0] ?? ''));
  },
  eq(...args: unknown[]): boolean {
    const { values } = splitArgs(args);
    return values[0] === values[1];
  },
  /** {{#each (flagsOf flagsJson)}}: a session's flags, each a word of the sessionFlags catalogue. */
  flagsOf(...args: unknown[]): string[] {
    const { values } = splitArgs(args);
    return typeof values[0] === 'string' ? parseFlags(values[0]) : [];
  },
  /** A status word as a CSS token (status-charging), never as the only signal: the word is printed too. */
  statusClass(...args: unknown[]): string {
    const { values } = splitArgs(args);
    return `status-${String(values[0] ?? 'unknown').toLowerCase().replace(/[^a-z]/g, '')}`;
  },
  /** {{jobTitle name}}: a background job's name for people in the page's language. */
  jobTitle(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    return jobTitle(String(values[0] ?? ''), rootOf(options).lang);
  },
  /** {{jobSummary run}}: what a job run did (a run or a job's status with lastSummary/lastSummaryParts), in the page's language. */
  jobSummary(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const run = (values[0] ?? {}) as { summary?: unknown; summaryParts?: unknown; lastSummary?: unknown; lastSummaryParts?: unknown };
    const summary = typeof run.summary === 'string' ? run.summary : typeof run.lastSummary === 'string' ? run.lastSummary : '';
    const parts = Array.isArray(run.summaryParts) ? run.summaryParts : Array.isArray(run.lastSummaryParts) ? run.lastSummaryParts : null;
    return jobSummaryText({ summary, summaryParts: parts }, rootOf(options).lang);
  },
  /** {{statusText status}}: the translated connector status, or the charger's own word. */
  statusText(...args: unknown[]): string {
    const { values, options } = splitArgs(args);
    const status = String(values[0] ?? 'Unknown');
    return translator(rootOf(options).lang)(`status.${status}`, { defaultValue: status });
  },
};

let engine: ExpressHandlebars | undefined;

/**
 * The one Handlebars engine of the web UI (staff pages and the public QR pages): views/layouts,
 * views/partials, pages under views/pages/<area>/, fragments under views/fragments/.
 */
export function viewEngine(): ExpressHandlebars {
  engine ??= create({
    extname: '.hbs',
    layoutsDir: path.join(viewsDir(), 'layouts'),
    // Fragments double as partials so a page includes the same markup its htmx/SSE updates send.
    partialsDir: [path.join(viewsDir(), 'partials'), path.join(viewsDir(), 'fragments')],
    defaultLayout: 'main',
    helpers,
  });
  return engine;
}

/** Renders a fragment (views/fragments/NAME.hbs) to a string, e.g. for an SSE event. */
export function renderFragment(name: string, context: Record<string, unknown>): Promise<string> {
  return viewEngine().render(path.join(viewsDir(), 'fragments', `${name}.hbs`), context);
}
