/**
 * The domain terms of the UI, one word per language, as site staff and drivers say them (issue 15:
 * a native reader flagged calques and words that mean something else). Every catalogue uses these
 * words; `avoid` lists what was flagged, and glossary.test.ts fails when a catalogue uses one.
 */
export const GLOSSARY = {
  en: { balance: 'balance', driver: 'driver', session: 'session', optional: 'optional', topUp: 'top up', quickAmounts: 'quick amounts', idleFee: 'fee for staying plugged in after charging', jobs: 'background jobs', charger: 'charger', connector: 'connector', receipt: 'receipt' },
  pa: { balance: 'ਬੈਲੈਂਸ', driver: 'ਡਰਾਈਵਰ', session: 'ਸੈਸ਼ਨ', optional: 'ਵਿਕਲਪਿਕ', topUp: 'ਟੌਪ-ਅੱਪ', quickAmounts: 'ਆਮ ਰਕਮਾਂ', idleFee: 'ਚਾਰਜਿੰਗ ਤੋਂ ਬਾਅਦ ਕਾਰ ਜੁੜੀ ਰਹਿਣ ਦੀ ਫ਼ੀਸ', jobs: 'ਆਟੋਮੈਟਿਕ ਕੰਮ', charger: 'ਚਾਰਜਰ', connector: 'ਕਨੈਕਟਰ', receipt: 'ਰਸੀਦ' },
  hi: { balance: 'शेष राशि', driver: 'ड्राइवर', session: 'सेशन', optional: 'वैकल्पिक', topUp: 'टॉप-अप', quickAmounts: 'आम राशियाँ', idleFee: 'चार्जिंग के बाद कार जुड़ी रहने का शुल्क', jobs: 'अपने-आप चलने वाले काम', charger: 'चार्जर', connector: 'कनेक्टर', receipt: 'रसीद' },
} as const;

/** Words a native reader flagged, with what they read as; the glossary's word is used instead. */
export const AVOID: Record<'pa' | 'hi', { word: string; readsAs: string }[]> = {
  pa: [
    { word: 'ਬਕਾਇਆ', readsAs: 'arrears (balance is ਬੈਲੈਂਸ)' },
    { word: 'ਬਕਾਏ', readsAs: 'arrears (balance is ਬੈਲੈਂਸ)' },
    { word: 'ਚੋਣਵਾਂ', readsAs: 'selected (optional is ਵਿਕਲਪਿਕ)' },
    { word: 'ਤੁਰੰਤ ਰਕਮਾਂ', readsAs: 'a calque of "quick amounts"' },
    { word: 'ਪਿਛੋਕੜ ਕੰਮ', readsAs: 'a calque of "background jobs"' },
    { word: 'ਵਿਹਲੀ ਫ਼ੀਸ', readsAs: 'a calque of "idle fee"' },
    { word: 'ਛੋਟੀ ਇਕਾਈ', readsAs: 'a calque of "minor unit" (people think in rupees)' },
  ],
  hi: [
    { word: 'ऋण', readsAs: 'loan (for a negative amount say माइनस)' },
    { word: 'चालक', readsAs: 'a formal word; users say ड्राइवर' },
    { word: 'सत्र', readsAs: 'a formal word; users say सेशन' },
    { word: 'छोटी इकाई', readsAs: 'a calque of "minor unit" (people think in rupees)' },
    { word: 'तुरंत राशियाँ', readsAs: 'a calque of "quick amounts"' },
  ],
};
