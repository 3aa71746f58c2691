import { formatPhone, isCallingCode, normalisePhone } from './phone';

describe('phone numbers to E.164 (CONTRACT /users)', () => {
  test.each([
    ['+91 98140 12345', '91', '+919814012345'],
    ['98140 12345', '91', '+919814012345'],
    ['098140-12345', '91', '+919814012345'],
    ['0091 98140 12345', '91', '+919814012345'],
    ['(0172) 555 1234', '91', '+911725551234'],
    ['919814012345', '91', '+919814012345'],
    ['+1 (415) 555-0100', '91', '+14155550100'],
    ['415.555.0100', '1', '+14155550100'],
    ['07911 123456', '44', '+447911123456'],
  ])('%j with calling code %s is %s', (raw, code, expected) => {
    expect(normalisePhone(raw, code)).toBe(expected);
  });

  test.each([['12'], ['call me'], ['+91 98140'], [''], ['9'.repeat(41)], ['98140 12345 ext 2']])('%j is no phone number', (raw) => {
    expect(normalisePhone(raw, '91')).toBeUndefined();
  });

  test('every way of writing one number gives the same E.164 text', () => {
    const ways = ['+919814012345', '+91-98140-12345', '98140 12345', '09814012345', '00919814012345', '(+91) 98140 12345'];
    expect(new Set(ways.map((way) => normalisePhone(way, '91')))).toEqual(new Set(['+919814012345']));
  });

  test('calling codes are checked against the numbering plans', () => {
    expect(isCallingCode('91')).toBe(true);
    expect(isCallingCode('1')).toBe(true);
    expect(isCallingCode('999')).toBe(false);
    expect(isCallingCode('0')).toBe(false);
  });

  test('numbers are grouped for reading, other text is shown as stored', () => {
    expect(formatPhone('+919814012345')).toBe('+91 98140 12345');
    expect(formatPhone('12345')).toBe('12345');
  });
});
