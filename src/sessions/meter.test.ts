import { activePowerW, canFollow, readRegister } from './meter';

/** OCPP sampled values (1.6 §7.45, 2.0.1 §2.47) read the same whichever version sent them. */
describe('reading the energy register', () => {
  test.each([
    ['no measurand and no unit: the register in Wh', [{ value: '1234' }], { kind: 'reading', wh: 1234 }],
    ['kWh with decimals, rounded to whole Wh', [{ value: '1.2345', unit: 'kWh' }], { kind: 'reading', wh: 1235 }],
    ['2.0.1 unitOfMeasure with a multiplier', [{ value: 12, unitOfMeasure: { unit: 'Wh', multiplier: 3 } }], { kind: 'reading', wh: 12_000 }],
    ['phases summed when no total is given', [{ value: '100', phase: 'L1' }, { value: '200', phase: 'L2-N' }, { value: '300', phase: 'L3' }], { kind: 'reading', wh: 600 }],
    ['a total wins over its phases', [{ value: '100', phase: 'L1' }, { value: '5000' }], { kind: 'reading', wh: 5000 }],
    ['another measurand, another unit or signed data is no register', [{ value: '7', measurand: 'Power.Active.Import' }, { value: '7', unit: 'varh' }, { value: 'abc', format: 'SignedData' }], { kind: 'none' }],
    ['negative', [{ value: '-5' }], { kind: 'impossible' }],
    ['not a number', [{ value: 'NaN' }], { kind: 'impossible' }],
    ['empty', [{ value: ' ' }], { kind: 'impossible' }],
    ['beyond a safe integer', [{ value: '1e300' }], { kind: 'impossible' }],
    ['one impossible phase spoils the sum', [{ value: '100', phase: 'L1' }, { value: '-1', phase: 'L2' }], { kind: 'impossible' }],
  ])('%s', (_name, sampledValues, expected) => {
    expect(readRegister(sampledValues)).toEqual(expected);
  });
});

describe('a reading that can follow the last trusted one (CONTRACT "OCPP endpoint")', () => {
  const last = { wh: 10_000, chargerAt: '2026-03-01T10:00:00.000Z' };
  test('never lower', () => {
    expect(canFollow(9_999, '2026-03-01T10:10:00.000Z', last)).toBe(false);
    expect(canFollow(10_000, '2026-03-01T10:10:00.000Z', last)).toBe(true);
  });
  test('at most what 1 MW delivers in the time between the charger timestamps plus a minute', () => {
    // Ten minutes and the minute of slack: 1 MW × 11 min = 183 333.3 Wh.
    expect(canFollow(10_000 + 183_333, '2026-03-01T10:10:00.000Z', last)).toBe(true);
    expect(canFollow(10_000 + 183_334, '2026-03-01T10:10:00.000Z', last)).toBe(false);
    // A clock that went back counts as no time passed: only the minute.
    expect(canFollow(10_000 + 16_667, '2026-03-01T09:00:00.000Z', last)).toBe(false);
    expect(canFollow(10_000 + 16_666, '2026-03-01T09:00:00.000Z', last)).toBe(true);
  });
});

describe('reading the power drawn', () => {
  test.each([
    ['W by default', [{ value: '7200', measurand: 'Power.Active.Import' }], 7200],
    ['kW in a 2.0.1 unitOfMeasure', [{ value: 7.2, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } }], 7200],
    ['phases summed when no total is given', [{ value: '2300', measurand: 'Power.Active.Import', phase: 'L1' }, { value: '2400', measurand: 'Power.Active.Import', phase: 'L2' }], 4700],
    ['the register is no power', [{ value: '7200' }], undefined],
    ['a negative, empty or unreadable value is skipped', [{ value: '-1', measurand: 'Power.Active.Import' }, { value: '', measurand: 'Power.Active.Import' }, { value: 'x', measurand: 'Power.Active.Import' }], undefined],
    ['another unit is skipped', [{ value: '7', measurand: 'Power.Active.Import', unit: 'A' }, { value: '11000', measurand: 'Power.Active.Import' }], 11000],
  ])('%s', (_name, sampledValues, expected) => {
    expect(activePowerW(sampledValues)).toBe(expected);
  });
});
