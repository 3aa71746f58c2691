import { AVOID, GLOSSARY } from './glossary';
import { hi } from './hi';
import { pa } from './pa';

/** Every string of a catalogue, with its key path. */
function strings(catalogue: unknown, path = ''): [string, string][] {
  if (typeof catalogue === 'string') return [[path, catalogue]];
  if (typeof catalogue !== 'object' || catalogue === null) return [];
  return Object.entries(catalogue).flatMap(([key, value]) => strings(value, path ? `${path}.${key}` : key));
}

describe('the glossary of domain terms', () => {
  test.each([
    ['pa', pa],
    ['hi', hi],
  ] as const)('the %s catalogue uses none of the words a native reader flagged', (language, catalogue) => {
    const found = strings(catalogue).flatMap(([key, text]) => AVOID[language].filter(({ word }) => text.includes(word)).map(({ word, readsAs }) => `${key}: "${word}" reads as ${readsAs}`));
    expect(found).toEqual([]);
  });

  test.each([
    ['pa', pa],
    ['hi', hi],
  ] as const)('the %s catalogue says balance, driver and session with the glossary words', (language, catalogue) => {
    const all = strings(catalogue).map(([, text]) => text).join('\n');
    for (const term of ['balance', 'driver', 'session'] as const) expect(all).toContain(GLOSSARY[language][term]);
  });

  test('every language has every term', () => {
    expect(Object.keys(GLOSSARY.pa).sort()).toEqual(Object.keys(GLOSSARY.en).sort());
    expect(Object.keys(GLOSSARY.hi).sort()).toEqual(Object.keys(GLOSSARY.en).sort());
  });
});
