import { sessionCost, type TariffPrices } from './cost';
import { costLines } from './cost-lines';

const prices: TariffPrices = { energyPricePerKwhMinor: 1850, sessionFeeMinor: 1000, timePricePerHourMinor: 3333, idleFeePerHourMinor: 0, idleGraceS: 0, bands: [] };

describe('cost lines for receipts and the session page', () => {
  test('lines in whole minor units add up to the total billed, whatever the fractions', () => {
    for (const energyWh of [0, 1, 333, 20_000, 12_345]) {
      for (const minutes of [0, 1, 7, 61]) {
        const breakdown = sessionCost(prices, {
          startedAt: '2026-01-01T10:00:00Z',
          stoppedAt: new Date(Date.parse('2026-01-01T10:00:00Z') + minutes * 60_000).toISOString(),
          meterStartWh: 0,
          energyWh,
          readings: [],
          idleIntervals: [],
          timeZone: 'Asia/Kolkata',
        });
        const lines = costLines(JSON.stringify(breakdown))!;
        expect(lines.lines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(breakdown.totalMinor);
        expect(lines.lines.map((line) => line.part)).toEqual(['energy', 'time', 'sessionFee', 'idle']);
      }
    }
  });

  test('a 20 kWh, 1 h charge reads energy 370.00, time 33.33, fee 10.00', () => {
    const breakdown = sessionCost(prices, { startedAt: '2026-01-01T10:00:00Z', stoppedAt: '2026-01-01T11:00:00Z', meterStartWh: 0, energyWh: 20_000, readings: [], idleIntervals: [], timeZone: 'UTC' });
    expect(costLines(JSON.stringify(breakdown))).toEqual({
      lines: [
        { part: 'energy', amountMinor: 37000 },
        { part: 'time', amountMinor: 3333 },
        { part: 'sessionFee', amountMinor: 1000 },
        { part: 'idle', amountMinor: 0 },
      ],
      totalMinor: 41333,
      energyWh: 20000,
      durationS: 3600,
      billableIdleS: 0,
    });
  });

  test('two parts of half a minor unit each: the rounding unit goes to one of them only', () => {
    const lines = costLines(JSON.stringify({ totalMinor: 1, energy: '1/2', time: '1/2', sessionFee: '0', idle: '0' }))!;
    expect(lines.lines.map((line) => line.amountMinor).sort()).toEqual([0, 0, 0, 1]);
  });

  test.each([[null], [''], ['not json'], ['{"totalMinor": -1}'], ['{"totalMinor": 5, "energy": "x", "time": "0", "sessionFee": "0", "idle": "0"}']])('%j has no lines', (json) => {
    expect(costLines(json)).toBeUndefined();
  });
});
