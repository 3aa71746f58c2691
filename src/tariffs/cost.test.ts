import { sessionCost, type CostInput, type TariffPrices } from './cost';
import { Rational } from './rational';

const flat: TariffPrices = {
  energyPricePerKwhMinor: 1500,
  sessionFeeMinor: 0,
  timePricePerHourMinor: 0,
  idleFeePerHourMinor: 0,
  idleGraceS: 0,
  bands: [],
};

function input(overrides: Partial<CostInput>): CostInput {
  return {
    startedAt: '2026-03-01T10:00:00.000Z',
    stoppedAt: '2026-03-01T11:00:00.000Z',
    meterStartWh: 0,
    energyWh: 0,
    readings: [],
    idleIntervals: [],
    timeZone: 'UTC',
    ...overrides,
  };
}

describe('Rational', () => {
  test.each([
    [Rational.of(5, 2), 3n],
    [Rational.of(49, 10), 5n],
    [Rational.of(44999, 10000), 4n],
    [Rational.of(45, 10), 5n],
    [Rational.of(0), 0n],
    [Rational.of(1, 3).plus(Rational.of(1, 3)).plus(Rational.of(1, 3)), 1n],
  ])('%s rounds half up to %s', (value, expected) => {
    expect(value.roundHalfUp()).toBe(expected);
  });

  test('keeps lowest terms and a positive denominator', () => {
    expect(Rational.of(6, -4).toString()).toBe('-3/2');
  });
});

describe('sessionCost', () => {
  test.each<[string, TariffPrices, Partial<CostInput>, number]>([
    ['zero energy and no fees costs nothing', flat, { energyWh: 0 }, 0],
    ['zero energy is not charged the session fee', { ...flat, sessionFeeMinor: 500 }, { energyWh: 0 }, 0],
    ['energy is priced per kWh exactly', flat, { energyWh: 7089 }, 10634],
    ['one Wh at 1.5 per kWh rounds 1.5 up to 2', flat, { energyWh: 1 }, 2],
    ['an hour at one minor unit per hour costs one', { ...flat, energyPricePerKwhMinor: 0, timePricePerHourMinor: 1 }, { stoppedAt: '2026-03-01T11:00:00.000Z' }, 1],
    ['time is priced per hour to the millisecond', { ...flat, energyPricePerKwhMinor: 0, timePricePerHourMinor: 3600 }, { stoppedAt: '2026-03-01T10:00:01.500Z' }, 2],
    ['the session fee is added once energy flowed', { ...flat, sessionFeeMinor: 500 }, { energyWh: 1000 }, 2000],
    [
      'idle time beyond the grace is charged',
      { ...flat, energyPricePerKwhMinor: 0, idleFeePerHourMinor: 600, idleGraceS: 600 },
      { idleIntervals: [{ from: '2026-03-01T10:30:00.000Z', to: '2026-03-01T11:30:00.000Z' }] },
      // 30 idle minutes inside the session, 10 free: 20 minutes at 600/h.
      200,
    ],
    [
      'overlapping idle reports count once',
      { ...flat, energyPricePerKwhMinor: 0, idleFeePerHourMinor: 60 },
      {
        idleIntervals: [
          { from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T10:40:00.000Z' },
          { from: '2026-03-01T10:20:00.000Z', to: '2026-03-01T10:50:00.000Z' },
        ],
      },
      50,
    ],
    [
      'a meter rollback in the readings is ignored and the total energy still bills',
      flat,
      {
        energyWh: 2000,
        readings: [
          { at: '2026-03-01T10:20:00.000Z', registerWh: 1500 },
          { at: '2026-03-01T10:40:00.000Z', registerWh: 100 },
        ],
      },
      3000,
    ],
    [
      'a very long session (90 days) prices time and energy exactly',
      { ...flat, timePricePerHourMinor: 10 },
      { stoppedAt: '2026-05-30T10:00:00.000Z', energyWh: 5_000_000 },
      7_500_000 + 90 * 24 * 10,
    ],
  ])('%s', (_name, prices, overrides, expectedMinor) => {
    expect(sessionCost(prices, input(overrides)).totalMinor).toBe(expectedMinor);
  });

  const peak: TariffPrices = {
    ...flat,
    energyPricePerKwhMinor: 1000,
    // 18:00–22:00 site time costs 2000 per kWh; 22:00–06:00 costs 500.
    bands: [
      { startMinute: 18 * 60, endMinute: 22 * 60, energyPricePerKwhMinor: 2000 },
      { startMinute: 22 * 60, endMinute: 6 * 60, energyPricePerKwhMinor: 500 },
    ],
  };

  test('a band boundary inside a session splits energy between readings pro rata, in the site zone', () => {
    // Asia/Kolkata is UTC+5:30: 12:00Z–13:00Z is 17:30–18:30 local, half before and half inside the peak band.
    const result = sessionCost(peak, input({ startedAt: '2026-03-01T12:00:00.000Z', stoppedAt: '2026-03-01T13:00:00.000Z', energyWh: 1000, timeZone: 'Asia/Kolkata' }));
    expect(result.totalMinor).toBe(500 + 1000);
    expect(result.energy).toBe('1500');
  });

  test('readings place the energy in the band where it flowed', () => {
    // All 1000 Wh flowed in the first half hour (before 18:00 local), none in the peak half.
    const result = sessionCost(
      peak,
      input({
        startedAt: '2026-03-01T12:00:00.000Z',
        stoppedAt: '2026-03-01T13:00:00.000Z',
        energyWh: 1000,
        readings: [{ at: '2026-03-01T12:30:00.000Z', registerWh: 1000 }],
        timeZone: 'Asia/Kolkata',
      }),
    );
    expect(result.totalMinor).toBe(1000);
  });

  test('a band over midnight applies across the date change', () => {
    // 23:00–01:00 UTC is inside the 22:00–06:00 band in UTC.
    const result = sessionCost(peak, input({ startedAt: '2026-03-01T23:00:00.000Z', stoppedAt: '2026-03-02T01:00:00.000Z', energyWh: 2000 }));
    expect(result.totalMinor).toBe(1000);
  });

  test('a band in a zone that changes to summer time the same night still prices by local time', () => {
    // Europe/Berlin jumps from 02:00 to 03:00 local on 2026-03-29 (01:00Z). 00:00–04:00Z is 01:00–06:00 local.
    const night: TariffPrices = { ...flat, energyPricePerKwhMinor: 1000, bands: [{ startMinute: 0, endMinute: 5 * 60, energyPricePerKwhMinor: 500 }] };
    const result = sessionCost(night, input({ startedAt: '2026-03-29T00:00:00.000Z', stoppedAt: '2026-03-29T04:00:00.000Z', energyWh: 4000, timeZone: 'Europe/Berlin' }));
    // 00:00–03:00Z is local 01:00–05:00 (the band), 03:00–04:00Z is 05:00–06:00: 3000 Wh at 500, 1000 Wh at 1000.
    expect(result.totalMinor).toBe(1500 + 1000);
  });

  test('the total is the rounded exact sum, not the sum of rounded parts', () => {
    // Energy 0.4 + time 0.4 would round to 0 + 0; the exact sum 0.8 rounds to 1.
    const prices = { ...flat, energyPricePerKwhMinor: 400, timePricePerHourMinor: 400 };
    const result = sessionCost(prices, input({ energyWh: 1, stoppedAt: '2026-03-01T10:00:03.600Z' }));
    expect(result.energy).toBe('2/5');
    expect(result.time).toBe('2/5');
    expect(result.totalMinor).toBe(1);
  });

  test('a stop before the start costs only what the energy costs', () => {
    const result = sessionCost({ ...flat, timePricePerHourMinor: 100 }, input({ stoppedAt: '2026-03-01T09:00:00.000Z', energyWh: 1000 }));
    expect(result).toMatchObject({ totalMinor: 1500, durationS: 0 });
  });

  describe('bounded work whatever the span (CONTRACT: pricing never takes more than a moment)', () => {
    // 18:00–22:00 costs more per hour and per kWh, 22:00–06:00 less per kWh; the rest is the base.
    const evening: TariffPrices = {
      ...flat,
      energyPricePerKwhMinor: 1000,
      timePricePerHourMinor: 1000,
      bands: [
        { startMinute: 18 * 60, endMinute: 22 * 60, energyPricePerKwhMinor: 2000, timePricePerHourMinor: 2000 },
        { startMinute: 22 * 60, endMinute: 6 * 60, energyPricePerKwhMinor: 500 },
      ],
    };

    test('a session from year 1 to year 9999 with time-of-day bands is priced, every day at its band prices', () => {
      const startedAt = '0001-01-01T00:00:00.000Z';
      const stoppedAt = '9999-12-31T00:00:00.000Z';
      const days = (Date.parse(stoppedAt) - Date.parse(startedAt)) / 86_400_000;
      const result = sessionCost(evening, input({ startedAt, stoppedAt, energyWh: 0, timeZone: 'UTC' }));
      // Each whole UTC day: 4 hours at 2000 and 20 hours at 1000.
      expect(result.time).toBe(String(days * (4 * 2000 + 20 * 1000)));
      expect(result.durationS).toBe(days * 86_400);
    });

    test('a start a thousand years back in a zone with a historical offset prices every millisecond once', () => {
      // Every band has the base time price here, so the time part is the duration at that price.
      const sameTimePrice: TariffPrices = { ...evening, bands: evening.bands.map((band) => ({ ...band, timePricePerHourMinor: 1000 })) };
      const startedAt = '1026-03-01T10:00:00.000Z';
      const stoppedAt = '2026-03-01T11:00:00.000Z';
      const result = sessionCost(sameTimePrice, input({ startedAt, stoppedAt, energyWh: 5000, timeZone: 'Asia/Kolkata' }));
      const durationMs = Date.parse(stoppedAt) - Date.parse(startedAt);
      expect(Rational.of(durationMs * 1000, 3_600_000).toString()).toBe(result.time);
      // 5 kWh spread evenly over a thousand years: a mix of 500, 1000 and 2000 per kWh, within their bounds.
      expect(result.totalMinor - Number(Rational.of(durationMs * 1000, 3_600_000).roundHalfUp())).toBeGreaterThanOrEqual(2500 - 1);
      expect(result.totalMinor - Number(Rational.of(durationMs * 1000, 3_600_000).roundHalfUp())).toBeLessThanOrEqual(10000 + 1);
    });

    test('the middle of a session over two months long prices exactly as its days walked one by one', () => {
      // Asia/Kolkata has kept one offset since 1945, so the closed form must agree to the fraction.
      const cut = ['2026-01-01T03:17:00.000Z', '2026-02-10T00:00:00.000Z', '2026-03-20T12:00:00.000Z', '2026-04-30T21:43:00.000Z'];
      const whole = sessionCost(evening, input({ startedAt: cut[0], stoppedAt: cut[3], timeZone: 'Asia/Kolkata' }));
      let sum = Rational.ZERO;
      for (let i = 0; i < 3; i++) sum = sum.plus(parse(sessionCost(evening, input({ startedAt: cut[i], stoppedAt: cut[i + 1], timeZone: 'Asia/Kolkata' })).time));
      expect(whole.time).toBe(sum.toString());
    });

    test('a year of readings spreads the energy over the bands and still bills exactly the energy', () => {
      const startMs = Date.parse('2025-01-01T00:00:00.000Z');
      // One reading an hour for a year: 100 Wh each hour.
      const readings = Array.from({ length: 365 * 24 - 1 }, (_, hour) => ({ at: new Date(startMs + (hour + 1) * 3_600_000).toISOString(), registerWh: (hour + 1) * 100 }));
      const result = sessionCost({ ...evening, timePricePerHourMinor: 0, bands: evening.bands.map((band) => ({ ...band, timePricePerHourMinor: 0 })) }, {
        ...input({ startedAt: '2025-01-01T00:00:00.000Z', stoppedAt: '2026-01-01T00:00:00.000Z', timeZone: 'UTC' }),
        energyWh: 365 * 24 * 100,
        readings,
      });
      // Per day: 4 h at 2000, 8 h at 500, 12 h at 1000, 100 Wh each hour.
      expect(result.energy).toBe(String((365 * (4 * 2000 + 8 * 500 + 12 * 1000) * 100) / 1000));
    });
  });
});

function parse(fraction: string): Rational {
  const [numerator, denominator] = fraction.split('/');
  return Rational.of(BigInt(numerator!), BigInt(denominator ?? '1'));
}
