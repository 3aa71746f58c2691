import type { Page } from 'playwright-core';
import { chooseBrowser, startTestApp, type TestApp } from '../testing';
import { useBrowser } from '../testing/browser-fixture';

/**
 * Punjabi and Hindi pages are drawn with real Gurmukhi and Devanagari glyphs, whichever browser
 * the launcher picked: Chromium reports, for each element, which fonts drew its text and how many
 * glyphs each drew. Without a font for the script (the packaged browser brings none, nor does a
 * plain Debian) the text is drawn by a Latin font as blanks or empty boxes, and this test fails.
 */

interface PlatformFont {
  familyName: string;
  glyphCount: number;
}

const SCRIPTS = [
  { language: 'pa', script: 'Gurmukhi', letters: /[\u0A00-\u0A7F]/gu },
  // Without the dandas (U+0964, U+0965): Punjabi writes them too, and the first font in the page's list that has them draws them.
  { language: 'hi', script: 'Devanagari', letters: /[\u0900-\u0963\u0966-\u097F]/gu },
] as const;

const browser = useBrowser();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

/** The fonts that drew the text of the first element matching `selector` (DevTools CSS.getPlatformFontsForNode). */
async function fontsDrawing(page: Page, selector: string): Promise<PlatformFont[]> {
  const session = await page.context().newCDPSession(page);
  try {
    const { root } = await session.send('DOM.getDocument');
    const { nodeId } = await session.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    await session.send('CSS.enable');
    const { fonts } = await session.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts;
  } finally {
    await session.detach();
  }
}

describe(`pages in Punjabi and Hindi are drawn with fonts for their scripts (${chooseBrowser().description})`, () => {
  for (const { language, script, letters } of SCRIPTS) {
    test(`${language}: the setup page's heading and introduction are drawn in ${script}`, async () => {
      const context = await browser().newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${app.baseUrl}/setup?lang=${language}`);
        expect(await page.getAttribute('html', 'lang')).toBe(language);
        for (const selector of ['h1', 'main p']) {
          const text = (await page.locator(selector).first().textContent()) ?? '';
          const scriptLetters = text.match(letters)?.length ?? 0;
          // The page really is in that script, or this would prove nothing.
          expect(scriptLetters).toBeGreaterThan(5);
          const fonts = await fontsDrawing(page, selector);
          const scriptGlyphs = fonts.filter((font) => font.familyName.includes(script)).reduce((sum, font) => sum + font.glyphCount, 0);
          const otherGlyphs = fonts.filter((font) => !font.familyName.includes(script)).reduce((sum, font) => sum + font.glyphCount, 0);
          expect({ selector, fonts: fonts.map((font) => font.familyName), drewScript: scriptGlyphs > 0 }).toEqual({ selector, fonts: expect.arrayContaining([expect.stringContaining(script)]), drewScript: true });
          // Every letter of the script was drawn by the script's font: other fonts drew at most the rest (Latin, digits, spaces, punctuation).
          expect(otherGlyphs).toBeLessThanOrEqual([...text].length - scriptLetters);
        }
      } finally {
        await context.close();
      }
    });
  }
});
