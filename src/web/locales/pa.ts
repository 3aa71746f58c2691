import type { PartialCatalogue } from './en';

/** Punjabi (Gurmukhi). Keys missing here fall back to English. */
export const pa: PartialCatalogue = {
  app: { skip: 'ਸਮੱਗਰੀ ’ਤੇ ਜਾਓ', live: 'ਸੁਨੇਹੇ', mainNav: 'ਮੁੱਖ' },
  cashier: {
    title: 'ਕੈਸ਼ੀਅਰ', scan: 'ਕਾਰਡ UID ਸਕੈਨ ਕਰੋ ਜਾਂ ਲਿਖੋ', scanButton: 'ਲੱਭੋ', unknownCard: 'ਕਾਰਡ {{uid}} ਰਜਿਸਟਰ ਨਹੀਂ ਹੈ।', badUid: 'ਇਹ ਕਾਰਡ UID ਨਹੀਂ ਹੈ।',
    holder: 'ਧਾਰਕ', kind: 'ਕਿਸਮ', status: 'ਸਥਿਤੀ', balance: 'ਬਕਾਇਆ', available: 'ਉਪਲਬਧ', noHolder: 'ਕੋਈ ਡਰਾਈਵਰ ਨਹੀਂ', personal: 'ਨਿੱਜੀ (ਬਕਾਇਆ ਨਹੀਂ)', prepaid: 'ਪ੍ਰੀਪੇਡ',
    active: 'ਸਰਗਰਮ', blocked: 'ਬਲੌਕ', lost: 'ਗੁਆਚਿਆ', lastSessions: 'ਪਿਛਲੇ ਸੈਸ਼ਨ', topUp: 'ਟੌਪ-ਅੱਪ', quick: 'ਤੁਰੰਤ ਰਕਮਾਂ', amount: 'ਹੋਰ ਰਕਮ', method: 'ਭੁਗਤਾਨ ਦਾ ਤਰੀਕਾ',
    cash: 'ਨਕਦ', card: 'ਕਾਰਡ', transfer: 'ਟ੍ਰਾਂਸਫ਼ਰ', badAmount: 'ਸਿਫ਼ਰ ਤੋਂ ਵੱਡੀ ਰਕਮ ਲਿਖੋ, ਜਿਵੇਂ 500 ਜਾਂ 500.50', badMethod: 'ਭੁਗਤਾਨ ਦਾ ਤਰੀਕਾ ਚੁਣੋ',
    newCard: 'ਨਵੇਂ ਪ੍ਰੀਪੇਡ ਕਾਰਡ ਵਜੋਂ ਰਜਿਸਟਰ ਕਰੋ ਅਤੇ ਟੌਪ-ਅੱਪ ਕਰੋ', driverName: 'ਡਰਾਈਵਰ ਦਾ ਨਾਮ (ਚੋਣਵਾਂ)', driverPhone: 'ਡਰਾਈਵਰ ਦਾ ਫ਼ੋਨ (ਚੋਣਵਾਂ)', nameAndPhone: 'ਨਾਮ ਅਤੇ ਫ਼ੋਨ ਦੋਵੇਂ ਦਿਓ, ਜਾਂ ਕੋਈ ਨਹੀਂ',
    receipt: 'ਰਸੀਦ', receiptNo: 'ਰਸੀਦ ਨੰ.', cashier: 'ਕੈਸ਼ੀਅਰ', newBalance: 'ਨਵਾਂ ਬਕਾਇਆ', at: 'ਸਮਾਂ', done: '{{amount}} ਦਾ ਟੌਪ-ਅੱਪ ਹੋਇਆ। ਨਵਾਂ ਬਕਾਇਆ {{balance}}।', next: 'ਅਗਲਾ ਕਾਰਡ ਸਕੈਨ ਕਰੋ',
    shift: 'ਸ਼ਿਫ਼ਟ', openShift: 'ਸ਼ਿਫ਼ਟ ਸ਼ੁਰੂ ਕਰੋ', openingFloat: 'ਸ਼ੁਰੂਆਤੀ ਨਕਦ', closeShift: 'ਸ਼ਿਫ਼ਟ ਬੰਦ ਕਰੋ', countedCash: 'ਗਿਣਿਆ ਨਕਦ', note: 'ਟਿੱਪਣੀ', shiftOpen: '{{at}} ਤੋਂ ਸ਼ਿਫ਼ਟ ਚਾਲੂ',
    noShift: 'ਕੋਈ ਸ਼ਿਫ਼ਟ ਚਾਲੂ ਨਹੀਂ। ਟੌਪ-ਅੱਪ ਫਿਰ ਵੀ ਦਰਜ ਹੁੰਦੇ ਹਨ, ਸ਼ਿਫ਼ਟ ਤੋਂ ਬਿਨਾਂ।', totals: 'ਕੁੱਲ', expectedCash: 'ਉਮੀਦ ਕੀਤਾ ਨਕਦ', difference: 'ਫ਼ਰਕ', zReport: 'Z-ਰਿਪੋਰਟ',
    personalNoTopup: 'ਨਿੱਜੀ ਕਾਰਡ ਦਾ ਕੋਈ ਬਕਾਇਆ ਨਹੀਂ ਹੁੰਦਾ, ਉਸਦਾ ਟੌਪ-ਅੱਪ ਨਹੀਂ ਹੋ ਸਕਦਾ।', printA4: 'A4 ’ਤੇ ਪ੍ਰਿੰਟ', printThermal: 'ਪ੍ਰਿੰਟ (80 mm)', failed: 'ਟੌਪ-ਅੱਪ ਰੱਦ: {{message}}',
  },
  drivers: { title: 'ਡਰਾਈਵਰ ਅਤੇ ਕਾਰਡ', name: 'ਨਾਮ', phone: 'ਫ਼ੋਨ', cards: 'ਕਾਰਡ', none: 'ਹਾਲੇ ਕੋਈ ਡਰਾਈਵਰ ਨਹੀਂ।', add: 'ਡਰਾਈਵਰ ਜੋੜੋ', create: 'ਡਰਾਈਵਰ ਜੋੜੋ', addCard: 'ਕਾਰਡ ਜੋੜੋ', cardUid: 'ਕਾਰਡ UID', consumption: 'ਚਾਰਜਿੰਗ ਸੈਸ਼ਨ', topups: 'ਟੌਪ-ਅੱਪ', refund: 'ਵਾਪਸੀ', reason: 'ਕਾਰਨ', adjust: 'ਬਕਾਇਆ ਠੀਕ ਕਰੋ', set_active: 'ਅਨਬਲੌਕ', set_blocked: 'ਬਲੌਕ', set_lost: 'ਗੁਆਚਿਆ ਮਾਰਕ ਕਰੋ' },
  reports: { title: 'ਰਿਪੋਰਟਾਂ', chargersTitle: 'ਪ੍ਰਤੀ ਦਿਨ ਚਾਰਜਰ', date: 'ਤਾਰੀਖ਼', fees: 'ਫ਼ੀਸ', daily: 'ਰੋਜ਼ਾਨਾ ਰਿਪੋਰਟ', total: 'ਕੁੱਲ' },
  staff: { title: 'ਸਟਾਫ਼ ਵਰਤੋਂਕਾਰ', userName: 'ਵਰਤੋਂਕਾਰ ਨਾਮ', displayName: 'ਨਾਮ', role: 'ਭੂਮਿਕਾ', language: 'ਭਾਸ਼ਾ', password: 'ਪਾਸਵਰਡ', profile: 'ਮੇਰੀਆਂ ਤਰਜੀਹਾਂ', changePassword: 'ਮੇਰਾ ਪਾਸਵਰਡ ਬਦਲੋ', currentPassword: 'ਮੌਜੂਦਾ ਪਾਸਵਰਡ', newPassword: 'ਨਵਾਂ ਪਾਸਵਰਡ' },
  nav: { dashboard: 'ਡੈਸ਼ਬੋਰਡ', chargers: 'ਚਾਰਜਰ', sessions: 'ਸੈਸ਼ਨ', cashier: 'ਕੈਸ਼ੀਅਰ', audit: 'ਆਡਿਟ ਲੌਗ', staff: 'ਸਟਾਫ਼', tokens: 'API ਟੋਕਨ', logout: 'ਸਾਈਨ ਆਊਟ', settings: 'ਸੈਟਿੰਗਾਂ', reports: 'ਰਿਪੋਰਟਾਂ', drivers: 'ਡਰਾਈਵਰ ਅਤੇ ਕਾਰਡ', signedInAs: '{{name}} ({{role}}) ਵਜੋਂ ਸਾਈਨ ਇਨ' },
  role: { admin: 'ਐਡਮਿਨ', cashier: 'ਕੈਸ਼ੀਅਰ', viewer: 'ਦਰਸ਼ਕ' },
  theme: { label: 'ਥੀਮ', light: 'ਹਲਕੀ', dark: 'ਗੂੜ੍ਹੀ', system: 'ਸਿਸਟਮ ਵਾਂਗ' },
  common: { save: 'ਸੰਭਾਲੋ', cancel: 'ਰੱਦ ਕਰੋ', yes: 'ਹਾਂ', no: 'ਨਹੀਂ', none: 'ਕੋਈ ਨਹੀਂ', back: 'ਪਿੱਛੇ', apply: 'ਲਾਗੂ ਕਰੋ', exportCsv: 'CSV ਨਿਰਯਾਤ', print: 'ਪ੍ਰਿੰਟ', from: 'ਤੋਂ', to: 'ਤੱਕ', actions: 'ਕਾਰਵਾਈਆਂ', never: 'ਕਦੇ ਨਹੀਂ', required: 'ਇਹ ਖੇਤਰ ਲਾਜ਼ਮੀ ਹੈ' },
  setup: { title: 'Chargeyard ਸੈੱਟ ਅੱਪ ਕਰੋ', intro: 'ਹਾਲੇ ਕੋਈ ਸਟਾਫ਼ ਵਰਤੋਂਕਾਰ ਨਹੀਂ ਹੈ। ਐਡਮਿਨ ਖਾਤਾ ਬਣਾਓ ਅਤੇ ਸਾਈਟ ਸੈੱਟ ਕਰੋ।', language: 'ਭਾਸ਼ਾ', siteName: 'ਸਾਈਟ ਦਾ ਨਾਮ', currency: 'ਮੁਦਰਾ (ISO 4217)', timeZone: 'ਸਮਾਂ ਖੇਤਰ', userName: 'ਐਡਮਿਨ ਵਰਤੋਂਕਾਰ ਨਾਮ', password: 'ਐਡਮਿਨ ਪਾਸਵਰਡ', passwordHint: 'ਘੱਟੋ-ਘੱਟ 8 ਅੱਖਰ।', passwordConfirm: 'ਪਾਸਵਰਡ ਦੁਬਾਰਾ ਲਿਖੋ', policy: 'ਅਣਜਾਣ ਚਾਰਜਰ', policyReject: 'ਰੱਦ ਕਰੋ', policyPending: 'ਮਨਜ਼ੂਰੀ ਲਈ ਰੋਕੋ', policyAccept: 'ਮਨਜ਼ੂਰ ਕਰੋ', energyPrice: 'ਪ੍ਰਤੀ kWh ਊਰਜਾ ਕੀਮਤ (ਛੋਟੀ ਇਕਾਈ)', sessionFee: 'ਸੈਸ਼ਨ ਫ਼ੀਸ (ਛੋਟੀ ਇਕਾਈ)', timePrice: 'ਪ੍ਰਤੀ ਘੰਟਾ ਕੀਮਤ (ਛੋਟੀ ਇਕਾਈ)', publicBaseUrl: 'QR ਕੋਡਾਂ ਲਈ ਜਨਤਕ URL (ਚੋਣਵਾਂ)', submit: 'ਸੈੱਟਅੱਪ ਪੂਰਾ ਕਰੋ', done: 'ਸੈੱਟਅੱਪ ਪਹਿਲਾਂ ਹੀ ਹੋ ਚੁੱਕਾ ਹੈ।', mismatch: 'ਪਾਸਵਰਡ ਮੇਲ ਨਹੀਂ ਖਾਂਦੇ' },
  login: { title: 'ਸਾਈਨ ਇਨ', userName: 'ਵਰਤੋਂਕਾਰ ਨਾਮ', password: 'ਪਾਸਵਰਡ', submit: 'ਸਾਈਨ ਇਨ', failed: 'ਗਲਤ ਵਰਤੋਂਕਾਰ ਨਾਮ ਜਾਂ ਪਾਸਵਰਡ।', locked: 'ਬਹੁਤ ਸਾਰੀਆਂ ਅਸਫਲ ਕੋਸ਼ਿਸ਼ਾਂ। {{minutes}} ਮਿੰਟ ਬਾਅਦ ਫਿਰ ਕੋਸ਼ਿਸ਼ ਕਰੋ।', signedOut: 'ਤੁਸੀਂ ਸਾਈਨ ਆਊਟ ਹੋ ਗਏ ਹੋ।' },
  dashboard: { title: 'ਡੈਸ਼ਬੋਰਡ', online: 'ਔਨਲਾਈਨ', offline: 'ਔਫ਼ਲਾਈਨ', faulted: 'ਖ਼ਰਾਬੀ', pending: 'ਮਨਜ਼ੂਰੀ ਦੀ ਉਡੀਕ', chargers: 'ਚਾਰਜਰ', connectors: 'ਕਨੈਕਟਰ', activeSessions: 'ਚੱਲ ਰਹੇ ਸੈਸ਼ਨ', noActive: 'ਕੋਈ ਸੈਸ਼ਨ ਨਹੀਂ ਚੱਲ ਰਿਹਾ।', todayEnergy: 'ਅੱਜ ਦੀ ਊਰਜਾ', todayRevenue: 'ਅੱਜ ਦੀ ਆਮਦਨ', todaySessions: 'ਅੱਜ ਦੇ ਸੈਸ਼ਨ', alerts: 'ਚੇਤਾਵਨੀਆਂ', noAlerts: 'ਕੋਈ ਚੇਤਾਵਨੀ ਨਹੀਂ।', alertOffline: 'ਚਾਰਜਰ {{id}} ਔਫ਼ਲਾਈਨ ਹੈ (ਆਖ਼ਰੀ ਵਾਰ {{at}})।', alertPending: 'ਚਾਰਜਰ {{id}} ਮਨਜ਼ੂਰੀ ਦੀ ਉਡੀਕ ਵਿੱਚ ਹੈ।', updated: '{{at}} ’ਤੇ ਅੱਪਡੇਟ', jobs: 'ਪਿਛੋਕੜ ਕੰਮ', jobName: 'ਕੰਮ', lastRun: 'ਪਿਛਲੀ ਵਾਰ', lastResult: 'ਨਤੀਜਾ' },
  chargers: { title: 'ਚਾਰਜਰ', id: 'ਚਾਰਜ ਪੁਆਇੰਟ ID', name: 'ਨਾਮ', registration: 'ਰਜਿਸਟ੍ਰੇਸ਼ਨ', connection: 'ਕਨੈਕਸ਼ਨ', connected: 'ਜੁੜਿਆ', disconnected: 'ਨਹੀਂ ਜੁੜਿਆ', lastSeen: 'ਆਖ਼ਰੀ ਵਾਰ ਦੇਖਿਆ', connectors: 'ਕਨੈਕਟਰ', connector: 'ਕਨੈਕਟਰ', status: 'ਸਥਿਤੀ', accept: 'ਮਨਜ਼ੂਰ ਕਰੋ', reject: 'ਰੱਦ ਕਰੋ', pendingTitle: 'ਮਨਜ਼ੂਰੀ ਦੀ ਉਡੀਕ', register: 'ਰਜਿਸਟਰ ਕਰੋ', remote: 'ਰਿਮੋਟ ਕਾਰਵਾਈਆਂ', send: 'ਭੇਜੋ', messageLog: 'OCPP ਸੁਨੇਹਾ ਲੌਗ' },
  sessions: { title: 'ਸੈਸ਼ਨ', charger: 'ਚਾਰਜਰ', card: 'ਕਾਰਡ', started: 'ਸ਼ੁਰੂ', stopped: 'ਬੰਦ', energy: 'ਊਰਜਾ', cost: 'ਲਾਗਤ', status: 'ਸਥਿਤੀ', active: 'ਚੱਲ ਰਿਹਾ', completed: 'ਪੂਰਾ', none: 'ਕੋਈ ਸੈਸ਼ਨ ਨਹੀਂ।' },
  audit: { title: 'ਆਡਿਟ ਲੌਗ', at: 'ਸਮਾਂ', actor: 'ਕਿਸ ਨੇ', action: 'ਕੀ', object: 'ਵਸਤੂ', before: 'ਪਹਿਲਾਂ', after: 'ਬਾਅਦ', none: 'ਕੋਈ ਇੰਦਰਾਜ ਨਹੀਂ।' },
  errors: { notFound: 'ਪੰਨਾ ਨਹੀਂ ਮਿਲਿਆ', notFoundText: 'ਇਸ ਪਤੇ ’ਤੇ ਕੁਝ ਨਹੀਂ ਹੈ।', forbidden: 'ਇਜਾਜ਼ਤ ਨਹੀਂ', forbiddenText: 'ਤੁਹਾਡੀ ਭੂਮਿਕਾ ਇਸ ਦੀ ਇਜਾਜ਼ਤ ਨਹੀਂ ਦਿੰਦੀ।', csrf: 'ਫ਼ਾਰਮ ਦੀ ਮਿਆਦ ਖ਼ਤਮ ਹੋ ਗਈ। ਪੰਨਾ ਮੁੜ ਲੋਡ ਕਰੋ।', server: 'ਕੁਝ ਗਲਤ ਹੋ ਗਿਆ', serverText: 'ਗਲਤੀ ਦਰਜ ਕਰ ਲਈ ਗਈ ਹੈ। ਫਿਰ ਕੋਸ਼ਿਸ਼ ਕਰੋ।' },
  status: { Available: 'ਉਪਲਬਧ', Preparing: 'ਤਿਆਰੀ', Charging: 'ਚਾਰਜ ਹੋ ਰਿਹਾ', Finishing: 'ਖ਼ਤਮ ਹੋ ਰਿਹਾ', Unavailable: 'ਉਪਲਬਧ ਨਹੀਂ', Faulted: 'ਖ਼ਰਾਬੀ', Unknown: 'ਅਣਜਾਣ' },
};
