import { decimalStringToMinor, formatMoney } from './money';

describe('amounts as people type them', () => {
  test.each([
    ['500', 50000],
    ['500.5', 50050],
    ['500.50', 50050],
    [' 1,000 ', 100000],
    ['1,000.25', 100025],
    ['12,500', 1250000],
    ['1,00,000', 10000000],
    ['12,34,567.50', 123456750],
    ['12,50', 1250],
    ['₹500', 50000],
    ['₹ 1,000', 100000],
    ['Rs. 250', 25000],
    ['INR 75', 7500],
    ['0', 0],
  ])('%j is %d paise', (text, minor) => {
    expect(decimalStringToMinor(text, 'INR')).toBe(minor);
  });

  test.each([['abc'], [''], ['1.234'], ['1,0000'], ['1,,000'], ['-5'], ['5e3'], ['50004A1B2C3D4'], ['1 000'], ['1234567890123456']])('%j is no amount', (text) => {
    expect(decimalStringToMinor(text, 'INR')).toBeUndefined();
  });

  test('a currency without minor units takes whole amounts only', () => {
    expect(decimalStringToMinor('1,500', 'JPY')).toBe(1500);
    expect(decimalStringToMinor('15.5', 'JPY')).toBeUndefined();
  });

  test('money is shown with lakh grouping in India', () => {
    expect(formatMoney(123456750, 'INR')).toBe('₹12,34,567.50');
  });
});
