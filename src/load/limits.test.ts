import { clockFromMinute, inPeakWindow, limitInForceW, minuteFromClock, siteBudgetW, type SiteLimits } from './budget';
import { estimateDemandW } from './demand';
import { ampsPerPhaseFromWatts, limitInUnit, minimumChargingW, wattsFromAmpsPerPhase, wattsOfLimit } from './units';

const threePhase = { phases: 3 as const, voltageV: 230 };
const singlePhase = { phases: 1 as const, voltageV: 230 };

describe('amperes per phase and watts', () => {
  test('convert with the number of phases and the voltage', () => {
    expect(wattsFromAmpsPerPhase(32, threePhase)).toBe(22_080);
    expect(wattsFromAmpsPerPhase(32, singlePhase)).toBe(7360);
    expect(wattsFromAmpsPerPhase(16, { phases: 3, voltageV: 240 })).toBe(11_520);
    expect(ampsPerPhaseFromWatts(22_080, threePhase)).toBe(32);
    expect(ampsPerPhaseFromWatts(7360, singlePhase)).toBe(32);
    expect(minimumChargingW(threePhase)).toBe(4140);
    expect(minimumChargingW(singlePhase)).toBe(1380);
  });

  test('a current is rounded down to 0.1 A so a converted limit never allows more than asked', () => {
    expect(ampsPerPhaseFromWatts(8333, threePhase)).toBe(12);
    expect(ampsPerPhaseFromWatts(1587, singlePhase)).toBe(6.9);
    const limit = limitInUnit(8333, 'A', threePhase);
    expect(limit).toEqual({ unit: 'A', value: 12, phases: 3, effectiveW: 8280 });
    expect(limitInUnit(8333.7, 'W', threePhase)).toEqual({ unit: 'W', value: 8333, phases: 3, effectiveW: 8333 });
    expect(wattsOfLimit(6.9, 'A', singlePhase)).toBe(1587);
    expect(limitInUnit(-5, 'A', threePhase).value).toBe(0);
    for (let watts = 0; watts < 30_000; watts += 37) {
      expect(limitInUnit(watts, 'A', threePhase).effectiveW).toBeLessThanOrEqual(watts);
      expect(limitInUnit(watts, 'A', singlePhase).effectiveW).toBeLessThanOrEqual(watts);
    }
  });
});

describe('the limit in force', () => {
  const limits: SiteLimits = { limitW: 50_000, marginW: 2000, peakWindow: { fromMinute: 18 * 60, toMinute: 22 * 60, limitW: 30_000 } };
  const at = (iso: string) => Date.parse(iso);

  test('is the site limit outside the peak window and the lower one inside, in site-local time', () => {
    // Asia/Kolkata is UTC+05:30: 12:29 UTC is 17:59 local, 12:30 UTC is 18:00 local.
    expect(limitInForceW(limits, at('2026-11-28T12:29:00Z'), 'Asia/Kolkata')).toBe(50_000);
    expect(limitInForceW(limits, at('2026-11-28T12:30:00Z'), 'Asia/Kolkata')).toBe(30_000);
    expect(limitInForceW(limits, at('2026-11-28T16:29:59Z'), 'Asia/Kolkata')).toBe(30_000);
    expect(limitInForceW(limits, at('2026-11-28T16:30:00Z'), 'Asia/Kolkata')).toBe(50_000);
  });

  test('the budget is the limit less the margin, and null when load management is off', () => {
    expect(siteBudgetW(limits, at('2026-11-28T06:00:00Z'), 'UTC')).toBe(48_000);
    expect(siteBudgetW(limits, at('2026-11-28T19:00:00Z'), 'UTC')).toBe(28_000);
    expect(siteBudgetW({ ...limits, limitW: null }, at('2026-11-28T19:00:00Z'), 'UTC')).toBeNull();
    expect(siteBudgetW({ limitW: 1000, marginW: 2000, peakWindow: null }, 0, 'UTC')).toBe(0);
  });

  test('a window may cross midnight; an empty window never applies', () => {
    const night = { fromMinute: 22 * 60, toMinute: 6 * 60, limitW: 1 };
    expect(inPeakWindow(night, 23 * 60)).toBe(true);
    expect(inPeakWindow(night, 5 * 60 + 59)).toBe(true);
    expect(inPeakWindow(night, 6 * 60)).toBe(false);
    expect(inPeakWindow({ fromMinute: 60, toMinute: 60, limitW: 1 }, 60)).toBe(false);
  });

  test('clock times are read strictly', () => {
    expect(minuteFromClock('18:30')).toBe(1110);
    expect(minuteFromClock('24:00')).toBeUndefined();
    expect(minuteFromClock('7:00')).toBeUndefined();
    expect(clockFromMinute(1110)).toBe('18:30');
  });
});

describe('what a connector can use', () => {
  const base = { maxW: 22_080, minW: 4140 };

  test('is its maximum before it draws, while paused, and when it draws close to its limit', () => {
    expect(estimateDemandW({ ...base, drawW: undefined, limitW: 8000 })).toBe(22_080);
    expect(estimateDemandW({ ...base, drawW: 0, limitW: 0 })).toBe(22_080);
    expect(estimateDemandW({ ...base, drawW: 7300, limitW: 8000 })).toBe(22_080);
  });

  test('is its draw plus headroom when it draws clearly less, never below its minimum', () => {
    expect(estimateDemandW({ ...base, drawW: 3000, limitW: 8000 })).toBe(4140);
    expect(estimateDemandW({ ...base, drawW: 5000, limitW: 8000 })).toBe(6000);
    expect(estimateDemandW({ ...base, drawW: 10_000, limitW: 15_000 })).toBe(12_000);
  });

  test('a car drawing steadily under the headroom it was given is never taken for saturated', () => {
    for (let drawW = 0; drawW < 22_080; drawW += 100) {
      const capW = estimateDemandW({ ...base, minW: 0, drawW, limitW: 22_080 });
      if (capW < 22_080) expect(estimateDemandW({ ...base, minW: 0, drawW, limitW: capW })).toBe(capW);
    }
  });
});
