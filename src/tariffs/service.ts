import { desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { schema } from '../db';
import { badRequest, notFound, nowIso, parseInput, type AuditActor, type RecordAudit } from '../shared';
import type { TariffPrices, TimeBand } from './cost';

export type TariffVersionRow = typeof schema.tariffVersions.$inferSelect;

const priceMinor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM')
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5)));

/** A tariff as the API takes it (CONTRACT `PUT /tariffs/default`): prices in minor units. */
const tariffInputSchema = z
  .object({
    energyPricePerKwh: priceMinor,
    sessionFee: priceMinor.default(0),
    timePricePerHour: priceMinor.default(0),
    idleFeePerHour: priceMinor.default(0),
    idleGraceS: z.number().int().min(0).max(7 * 86400).default(0),
    bands: z
      .array(
        z
          .object({ start: clock, end: clock, energyPricePerKwh: priceMinor.optional(), timePricePerHour: priceMinor.optional() })
          .strict()
          .refine((band) => band.start !== band.end, 'a band must not start where it ends'),
      )
      .max(24)
      .default([]),
  })
  .strict();
export type TariffInput = z.input<typeof tariffInputSchema>;

interface TariffView {
  versionId: number;
  chargerId: string | null;
  energyPricePerKwh: number;
  sessionFee: number;
  timePricePerHour: number;
  idleFeePerHour: number;
  idleGraceS: number;
  bands: { start: string; end: string; energyPricePerKwh?: number | undefined; timePricePerHour?: number | undefined }[];
  createdAt: string;
  createdBy: string | null;
}

/**
 * Versioned tariffs: each change appends a version; the newest version for a charger (its
 * override) or else the newest default is in force. A session keeps the version it started with.
 */
export class TariffService {
  private readonly inForce = new Map<string, TariffVersionRow | null>();
  private readonly versions = new Map<number, TariffVersionRow>();

  private readonly latestOverride;
  private readonly latestDefault;

  constructor(
    private readonly db: Db,
    /** The audit log: every new version is on the record in the write that appends it. */
    private readonly audit: RecordAudit,
  ) {
    // Prepared once: every StartTransaction asks for the version in force inside its write.
    const { tariffVersions } = schema;
    const newest = (where: ReturnType<typeof isNull>) => db.orm.select().from(tariffVersions).where(where).orderBy(desc(tariffVersions.id)).limit(1);
    this.latestOverride = newest(eq(tariffVersions.chargerId, sql.placeholder('chargerId'))).prepare();
    this.latestDefault = newest(isNull(tariffVersions.chargerId)).prepare();
  }

  async setDefault(input: unknown, actor: AuditActor): Promise<TariffVersionRow> {
    return this.append(null, parseInput(tariffInputSchema, input), actor);
  }

  async setOverride(chargerId: string, input: unknown, actor: AuditActor): Promise<TariffVersionRow> {
    return this.append(chargerId, parseInput(tariffInputSchema, input), actor);
  }

  /** Ends a charger's override, so the default applies there again. */
  async removeOverride(chargerId: string, actor: AuditActor): Promise<void> {
    await this.db.write(() => {
      const current = this.latest(chargerId);
      if (!current || current.removed) throw notFound('tariff override for charger', chargerId);
      this.db.orm
        .insert(schema.tariffVersions)
        .values({ ...current, id: undefined, removed: true, createdBy: actor.name, createdAt: nowIso() })
        .run();
      this.audit(actor, { action: 'tariff.remove_override', objectType: 'charger', objectId: chargerId, before: tariffView(current) });
    });
    // Only after the commit: a rolled-back change must not leave the cache pointing at it.
    this.inForce.clear();
  }

  /** The version that prices a session starting now at `chargerId`, or null when none exists. */
  versionInForce(chargerId: string): TariffVersionRow | null {
    // The cache holds durable state for the reads outside a write (every Authorize). Inside a
    // write the newest rows count, durable or not: a start in the batch after a tariff change
    // prices with it, before the change's own write has returned and cleared the cache.
    if (!this.db.inWrite) {
      const cached = this.inForce.get(chargerId);
      if (cached !== undefined) return cached;
    }
    const override = this.latest(chargerId);
    const version = override && !override.removed ? override : (this.latest(null) ?? null);
    // Inside a write the row may not be durable yet: an Authorize must not answer from it (db/index.ts).
    if (!this.db.inWrite) this.inForce.set(chargerId, version);
    return version;
  }

  /** A version by id; versions are never changed once written, so they are cached. */
  version(id: number): TariffVersionRow | undefined {
    const cached = this.versions.get(id);
    if (cached) return cached;
    const row = this.db.orm.select().from(schema.tariffVersions).where(eq(schema.tariffVersions.id, id)).get();
    if (row && !this.db.inWrite) this.versions.set(id, row);
    return row;
  }

  /** The default and every charger override currently in force. */
  current(): { default: TariffVersionRow | null; overrides: TariffVersionRow[] } {
    const chargerIds = this.db.orm
      .selectDistinct({ chargerId: schema.tariffVersions.chargerId })
      .from(schema.tariffVersions)
      .where(isNotNull(schema.tariffVersions.chargerId))
      .all();
    const overrides = chargerIds
      .map(({ chargerId }) => this.latest(chargerId))
      .filter((row): row is TariffVersionRow => row !== undefined && !row.removed);
    return { default: this.latest(null) ?? null, overrides };
  }

  private latest(chargerId: string | null): TariffVersionRow | undefined {
    return chargerId === null ? this.latestDefault.get() : this.latestOverride.get({ chargerId });
  }

  private async append(chargerId: string | null, tariff: z.output<typeof tariffInputSchema>, actor: AuditActor): Promise<TariffVersionRow> {
    const bands: TimeBand[] = tariff.bands.map((band) => ({
      startMinute: band.start,
      endMinute: band.end,
      energyPricePerKwhMinor: band.energyPricePerKwh,
      timePricePerHourMinor: band.timePricePerHour,
    }));
    assertBandsDisjoint(bands);
    const row = await this.db.write(() => {
      const before = this.latest(chargerId);
      const appended = this.db.orm
        .insert(schema.tariffVersions)
        .values({
          chargerId,
          removed: false,
          energyPricePerKwhMinor: tariff.energyPricePerKwh,
          sessionFeeMinor: tariff.sessionFee,
          timePricePerHourMinor: tariff.timePricePerHour,
          idleFeePerHourMinor: tariff.idleFeePerHour,
          idleGraceS: tariff.idleGraceS,
          bandsJson: JSON.stringify(bands),
          createdBy: actor.name,
          createdAt: nowIso(),
        })
        .returning()
        .get();
      this.audit(actor, {
        action: chargerId === null ? 'tariff.set_default' : 'tariff.set_override',
        objectType: chargerId === null ? 'tariff' : 'charger',
        objectId: chargerId,
        before: before && !before.removed ? tariffView(before) : null,
        after: tariffView(appended),
      });
      return appended;
    });
    // Only after the commit: a rolled-back change must not leave the cache pointing at it.
    this.inForce.clear();
    return row;
  }
}

/** Overlapping bands would make a price ambiguous: refused with a 400. */
function assertBandsDisjoint(bands: readonly TimeBand[]): void {
  const covered = new Array<boolean>(1440).fill(false);
  for (const band of bands) {
    for (let minute = band.startMinute; minute !== band.endMinute; minute = (minute + 1) % 1440) {
      if (covered[minute]) throw badRequest('overlapping_bands', 'Time-of-day bands must not overlap');
      covered[minute] = true;
    }
  }
}

export function pricesOf(version: TariffVersionRow): TariffPrices {
  return {
    energyPricePerKwhMinor: version.energyPricePerKwhMinor,
    sessionFeeMinor: version.sessionFeeMinor,
    timePricePerHourMinor: version.timePricePerHourMinor,
    idleFeePerHourMinor: version.idleFeePerHourMinor,
    idleGraceS: version.idleGraceS,
    bands: JSON.parse(version.bandsJson) as TimeBand[],
  };
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

export function tariffView(version: TariffVersionRow): TariffView {
  const prices = pricesOf(version);
  return {
    versionId: version.id,
    chargerId: version.chargerId,
    energyPricePerKwh: prices.energyPricePerKwhMinor,
    sessionFee: prices.sessionFeeMinor,
    timePricePerHour: prices.timePricePerHourMinor,
    idleFeePerHour: prices.idleFeePerHourMinor,
    idleGraceS: prices.idleGraceS,
    bands: prices.bands.map((band) => ({
      start: hhmm(band.startMinute),
      end: hhmm(band.endMinute),
      energyPricePerKwh: band.energyPricePerKwhMinor,
      timePricePerHour: band.timePricePerHourMinor,
    })),
    createdAt: version.createdAt,
    createdBy: version.createdBy,
  };
}
