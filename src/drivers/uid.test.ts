import { normaliseUid, uidFromReader } from './uid';

describe('card UIDs', () => {
  test.each([
    [' 04:a2:3b:c1 ', '04A23BC1'],
    ['04-a2-3b-c1', '04A23BC1'],
    ['04 A2 3B C1', '04A23BC1'],
    ['deadbeef', 'DEADBEEF'],
  ])('%j normalises to %s', (raw, expected) => {
    expect(normaliseUid(raw)).toBe(expected);
  });

  test.each<[string, 'hex' | 'decimal' | 'hex-reversed', string]>([
    ['04:A2:3B:C1', 'hex', '04A23BC1'],
    ['305419896', 'decimal', '12345678'],
    // Leading zero bytes that a decimal print drops come back: 0x00ABCDEF is 11259375.
    ['11259375', 'decimal', '00ABCDEF'],
    ['C1 3B A2 04', 'hex-reversed', '04A23BC1'],
  ])('the desk reader printing %j as %s is card %s', (raw, format, expected) => {
    expect(uidFromReader(raw, format)).toBe(expected);
  });

  test('a reader set to decimal refuses hex letters, and reversed hex refuses half bytes', () => {
    expect(() => uidFromReader('AB12', 'decimal')).toThrow(expect.objectContaining({ code: 'invalid_uid' }));
    expect(() => uidFromReader('ABC', 'hex-reversed')).toThrow(expect.objectContaining({ code: 'invalid_uid' }));
  });

  test('a QR start idTag can never be a card UID', () => {
    expect(() => uidFromReader('#Q0123456789ABCDEFGH', 'hex')).toThrow(expect.objectContaining({ code: 'invalid_uid' }));
  });
});
