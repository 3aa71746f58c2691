import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import { conflict, isCallingCode, isValidTimeZone, nowIso, parseInput, type AuditActor, type RecordAudit } from '../shared';

export const UNKNOWN_CHARGER_POLICIES = ['reject', 'pending', 'accept'] as const;
export const CARD_READER_FORMATS = ['hex', 'decimal', 'hex-reversed'] as const;
type UnknownChargerPolicy = (typeof UNKNOWN_CHARGER_POLICIES)[number];
type CardReaderFormat = (typeof CARD_READER_FORMATS)[number];
export const RECEIPT_PAPERS = ['thermal', 'a4'] as const;
type ReceiptPaper = (typeof RECEIPT_PAPERS)[number];

/** Site settings (CONTRACT `GET /settings`), plus operating knobs kept with them. */
export interface SiteSettings {
  siteName: string;
  /** Printed under the site name on receipts (lines separated by newlines). */
  siteAddress: string | null;
  currency: string;
  timeZone: string;
  language: string;
  unknownChargerPolicy: UnknownChargerPolicy;
  minimumBalanceMinor: number;
  publicBaseUrl: string | null;
  cardReaderFormat: CardReaderFormat;
  /** The calling code assumed for phone numbers written without one (CONTRACT: digits, default "91"). */
  phoneCountryCode: string;
  /** The site's UPI address (`name@bank`) shown to walk-in drivers with a payment link, or null. */
  upiId: string | null;
  /** The cashier's confirm step warns (softly) about a top-up above this amount. */
  largeTopupWarningMinor: number;
  /** The paper the receipt is printed on when a top-up is confirmed; the other one is a button away. */
  receiptPaper: ReceiptPaper;
  heartbeatIntervalS: number;
  /** Days of OCPP message log kept per charger before the housekeeping job prunes it. */
  messageLogRetentionDays: number;
}

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const DEFAULT_SETTINGS: SiteSettings = {
  siteName: 'Chargeyard',
  siteAddress: null,
  currency: 'INR',
  timeZone: machineTimeZone(),
  language: 'en',
  unknownChargerPolicy: 'pending',
  minimumBalanceMinor: 0,
  publicBaseUrl: null,
  cardReaderFormat: 'hex',
  phoneCountryCode: '91',
  upiId: null,
  largeTopupWarningMinor: 500_000,
  receiptPaper: 'thermal',
  heartbeatIntervalS: 300,
  messageLogRetentionDays: 30,
};

const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as INR')
  .refine((code) => {
    try {
      new Intl.NumberFormat('en', { style: 'currency', currency: code });
      return true;
    } catch {
      return false;
    }
  }, 'is not a known ISO 4217 currency');

/** The editable settings; every field optional in a PATCH, unknown fields refused. */
const settingsPatchSchema = z
  .object({
    siteName: z.string().trim().min(1).max(100),
    siteAddress: z
      .string()
      .trim()
      .max(300)
      .transform((text) => text.replace(/\r\n?/g, '\n') || null)
      .nullable(),
    currency: currencySchema,
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Kolkata'),
    language: z.enum(['en', 'pa', 'hi']),
    unknownChargerPolicy: z.enum(UNKNOWN_CHARGER_POLICIES),
    minimumBalanceMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    publicBaseUrl: z
      .string()
      .url()
      .refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL')
      .transform((url) => url.replace(/\/+$/, ''))
      .nullable(),
    cardReaderFormat: z.enum(CARD_READER_FORMATS),
    phoneCountryCode: z
      .string()
      .trim()
      .transform((code) => code.replace(/^\+/, ''))
      .refine((code) => /^\d{1,3}$/.test(code) && isCallingCode(code), 'must be a country calling code such as 91'),
    // A virtual payment address as UPI apps write it: a handle, @, the bank's or app's name.
    upiId: z
      .string()
      .trim()
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,98}@[A-Za-z][A-Za-z0-9]{1,63}$/, 'must be a UPI address such as chargeyard@okaxis')
      .nullable(),
    largeTopupWarningMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    receiptPaper: z.enum(RECEIPT_PAPERS),
    heartbeatIntervalS: z.number().int().min(10).max(86400),
    messageLogRetentionDays: z.number().int().min(1).max(3650),
  })
  .partial()
  .strict();

type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** What settings need from the ledger to change the currency inside their own write. */
export interface CurrencyGuard {
  hasMoneyMoved(): boolean;
  /** Moves the accounts opened so far to the new currency (only while no money has moved). */
  adoptCurrency(currency: string): void;
}

/**
 * Settings are read on every OCPP message, so they are cached in memory and written through.
 */
export class SettingsService {
  private cache: SiteSettings | undefined;
  private readonly listeners: ((settings: SiteSettings) => void)[] = [];
  /** Settings changes submitted and not yet durable or rolled back. */
  private changing = 0;

  constructor(
    private readonly db: Db,
    /** The ledger: the currency may change only while no money has moved (CONTRACT `PATCH /settings`). */
    private readonly money: CurrencyGuard,
    /** The audit log: every change is on the record in the write that makes it. */
    private readonly audit: RecordAudit,
  ) {}

  get(): SiteSettings {
    // While a change is in flight, a write after it in the same or a later group commit must see
    // it (a top-up checks its accounts against the site currency), and the cache must not keep
    // what the change may still undo: writes read the rows, everyone else the durable cache.
    if (this.changing > 0 && this.db.inWrite) return this.load();
    if (this.cache) return this.cache;
    const settings = this.load();
    this.cache = settings;
    // Read inside a write, the rows may still be undone: then so is the cache (Db.onRollback).
    this.db.onRollback(() => {
      if (this.cache === settings) this.cache = undefined;
    });
    return settings;
  }

  onChange(listener: (settings: SiteSettings) => void): void {
    this.listeners.push(listener);
  }

  /** Validated patch; returns the new settings once committed, with its audit entry (the fields that changed). */
  async update(patch: SettingsPatch, actor: AuditActor): Promise<SiteSettings> {
    const now = nowIso();
    this.changing++;
    try {
      await this.db.write(() => {
        // Checked inside the write that changes the currency (CONTRACT `PATCH /settings`): a
        // top-up committed between a check made before it and this write would leave money in
        // the old currency and the site in the new one.
        const current = this.load();
        if (patch.currency !== undefined && patch.currency !== current.currency) {
          if (this.money.hasMoneyMoved()) throw conflict('currency_locked', 'The currency can change only while no money has moved');
          // Accounts opened before any money moved follow the new currency, in the same write.
          this.money.adoptCurrency(patch.currency);
        }
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(patch)) {
          if (value === undefined) continue;
          const valueJson = JSON.stringify(value);
          this.db.orm
            .insert(schema.settings)
            .values({ key, valueJson, updatedAt: now })
            .onConflictDoUpdate({ target: schema.settings.key, set: { valueJson, updatedAt: now } })
            .run();
          if (JSON.stringify(current[key as keyof SiteSettings]) === valueJson) continue;
          before[key] = current[key as keyof SiteSettings];
          after[key] = value;
        }
        if (Object.keys(after).length > 0) this.audit(actor, { action: 'settings.update', objectType: 'settings', before, after });
      });
    } finally {
      // Durable or rolled back (the write settles only then): the cache is filled again from the rows.
      this.changing--;
      this.cache = undefined;
    }
    const settings = this.get();
    for (const listener of this.listeners) listener(settings);
    return settings;
  }

  /** Every problem of an outside patch, by field (a form shows them all at once); nothing is written. */
  problems(input: unknown): Record<string, string> {
    const parsed = settingsPatchSchema.safeParse(input);
    const problems: Record<string, string> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) problems[String(issue.path[0] ?? 'body')] ??= issue.message;
    return problems;
  }

  /** Parses an outside patch (API body, form) and applies it. */
  async updateFromInput(input: unknown, actor: AuditActor): Promise<SiteSettings> {
    return this.update(parseInput(settingsPatchSchema, input), actor);
  }

  private load(): SiteSettings {
    const rows = this.db.orm.select().from(schema.settings).all();
    const stored: Record<string, unknown> = {};
    for (const row of rows) stored[row.key] = JSON.parse(row.valueJson);
    return { ...DEFAULT_SETTINGS, ...stored } as SiteSettings;
  }
}
