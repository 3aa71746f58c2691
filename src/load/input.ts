import { z } from 'zod';

/** Larger than any site one appliance manages (a limit beyond this is a typo). */
export const MAX_SITE_W = 10_000_000;
/** Larger than any single charger. */
export const MAX_CHARGER_W = 1_000_000;
/** Priorities run 0 (normal) to this (first). */
export const MAX_PRIORITY = 9;

const watts = (max: number) => z.number().int('must be a whole number of watts').min(1, 'must be at least 1 W').max(max, `must be at most ${max} W`);
const priority = z.number().int().min(0).max(MAX_PRIORITY);

/**
 * CONTRACT `PUT /load` `{limitW, marginW?}`: limitW null turns load management off. That the
 * margin is less than the limit is checked with the stored margin when none is given (settings.ts).
 */
export const loadLimitsSchema = z
  .object({
    limitW: watts(MAX_SITE_W).nullable(),
    marginW: z.number().int('must be a whole number of watts').min(0).max(MAX_SITE_W).optional(),
  })
  .strict();
export type LoadLimitsInput = z.infer<typeof loadLimitsSchema>;

/** The limit stated in amperes per phase of the supply, as many sanction letters do. */
export const supplySchema = z.object({
  phases: z.union([z.literal(1), z.literal(3)]),
  voltageV: z.number().int().min(100).max(480),
});

export const peakWindowSchema = z
  .object({
    fromMinute: z.number().int().min(0).max(1439),
    toMinute: z.number().int().min(0).max(1439),
    limitW: z.number().int().min(0).max(MAX_SITE_W),
  })
  .refine((window) => window.fromMinute !== window.toMinute, { message: 'must end at another time than it starts', path: ['toMinute'] });

/** Everything the site form sets at once. */
export const loadSiteSchema = z
  .object({
    limitW: watts(MAX_SITE_W).nullable(),
    marginW: z.number().int().min(0).max(MAX_SITE_W),
    limitAmpsPerPhase: z.number().int().min(1).max(100_000).nullable(),
    supply: supplySchema,
    peakWindow: peakWindowSchema.nullable(),
  })
  .strict()
  .refine((input) => input.limitW === null || input.marginW < input.limitW, { message: 'must be less than the limit', path: ['marginW'] });
export type LoadSiteInput = z.infer<typeof loadSiteSchema>;

export const loadGroupSchema = z.object({ name: z.string().trim().min(1).max(60), limitW: watts(MAX_SITE_W) }).strict();
export type LoadGroupInput = z.infer<typeof loadGroupSchema>;

/** CONTRACT `PATCH /chargers/{id}` `maxPowerW` (null: take it from the charger or the default). */
export const maxPowerSchema = watts(MAX_CHARGER_W).nullable();

export const chargerLoadSchema = z
  .object({
    maxPowerW: watts(MAX_CHARGER_W).nullable(),
    minPowerW: z.number().int().min(0).max(MAX_CHARGER_W).nullable(),
    phases: z.union([z.literal(1), z.literal(3)]).nullable(),
    voltageV: z.number().int().min(100).max(480).nullable(),
    groupId: z.number().int().positive().nullable(),
    priority,
  })
  .partial()
  .strict()
  .refine((input) => input.maxPowerW == null || input.minPowerW == null || input.minPowerW <= input.maxPowerW, {
    message: 'must not be above the maximum',
    path: ['minPowerW'],
  });
export type ChargerLoadInput = z.infer<typeof chargerLoadSchema>;

export const prioritySchema = priority;
