import type { PartialCatalogue } from './en';

/** Hindi. Keys missing here fall back to English. */
export const hi: PartialCatalogue = {
  app: { skip: 'सामग्री पर जाएँ', live: 'संदेश', mainNav: 'मुख्य' },
  cashier: {
    title: 'कैशियर', scan: 'कार्ड UID स्कैन करें या लिखें', scanButton: 'खोजें', unknownCard: 'कार्ड {{uid}} पंजीकृत नहीं है।', badUid: 'यह कार्ड UID नहीं है।',
    holder: 'धारक', kind: 'प्रकार', status: 'स्थिति', balance: 'शेष राशि', available: 'उपलब्ध', noHolder: 'कोई चालक नहीं', personal: 'व्यक्तिगत (शेष नहीं)', prepaid: 'प्रीपेड',
    active: 'सक्रिय', blocked: 'अवरुद्ध', lost: 'खोया हुआ', lastSessions: 'पिछले सत्र', topUp: 'टॉप-अप', quick: 'तुरंत राशियाँ', amount: 'अन्य राशि', method: 'भुगतान का तरीका',
    cash: 'नकद', card: 'कार्ड', transfer: 'ट्रांसफ़र', badAmount: 'शून्य से बड़ी राशि लिखें, जैसे 500 या 500.50', badMethod: 'भुगतान का तरीका चुनें',
    newCard: 'नए प्रीपेड कार्ड के रूप में पंजीकृत करें और टॉप-अप करें', driverName: 'चालक का नाम (वैकल्पिक)', driverPhone: 'चालक का फ़ोन (वैकल्पिक)', nameAndPhone: 'नाम और फ़ोन दोनों दें, या कोई नहीं',
    receipt: 'रसीद', receiptNo: 'रसीद सं.', cashier: 'कैशियर', newBalance: 'नई शेष राशि', at: 'समय', done: '{{amount}} का टॉप-अप हुआ। नई शेष राशि {{balance}}।', next: 'अगला कार्ड स्कैन करें',
    shift: 'शिफ़्ट', openShift: 'शिफ़्ट शुरू करें', openingFloat: 'शुरुआती नकद', closeShift: 'शिफ़्ट बंद करें', countedCash: 'गिना हुआ नकद', note: 'टिप्पणी', shiftOpen: '{{at}} से शिफ़्ट चालू',
    noShift: 'कोई शिफ़्ट चालू नहीं है। टॉप-अप फिर भी दर्ज होते हैं, शिफ़्ट के बिना।', totals: 'कुल', expectedCash: 'अपेक्षित नकद', difference: 'अंतर', zReport: 'Z-रिपोर्ट',
    personalNoTopup: 'व्यक्तिगत कार्ड में शेष राशि नहीं होती, उसका टॉप-अप नहीं हो सकता।', printA4: 'A4 पर प्रिंट', printThermal: 'प्रिंट (80 mm)', failed: 'टॉप-अप अस्वीकार: {{message}}',
  },
  drivers: { title: 'चालक और कार्ड', name: 'नाम', phone: 'फ़ोन', cards: 'कार्ड', none: 'अभी कोई चालक नहीं।', add: 'चालक जोड़ें', create: 'चालक जोड़ें', addCard: 'कार्ड जोड़ें', cardUid: 'कार्ड UID', consumption: 'चार्जिंग सत्र', topups: 'टॉप-अप', refund: 'वापसी', reason: 'कारण', adjust: 'शेष राशि समायोजित करें', set_active: 'अनब्लॉक', set_blocked: 'ब्लॉक', set_lost: 'खोया चिह्नित करें' },
  reports: { title: 'रिपोर्ट', chargersTitle: 'प्रति दिन चार्जर', date: 'तारीख', fees: 'शुल्क', daily: 'दैनिक रिपोर्ट', total: 'कुल' },
  staff: { title: 'स्टाफ़ उपयोगकर्ता', userName: 'उपयोगकर्ता नाम', displayName: 'नाम', role: 'भूमिका', language: 'भाषा', password: 'पासवर्ड', profile: 'मेरी पसंद', changePassword: 'मेरा पासवर्ड बदलें', currentPassword: 'मौजूदा पासवर्ड', newPassword: 'नया पासवर्ड' },
  nav: { dashboard: 'डैशबोर्ड', chargers: 'चार्जर', sessions: 'सत्र', cashier: 'कैशियर', audit: 'ऑडिट लॉग', staff: 'स्टाफ़', tokens: 'API टोकन', logout: 'साइन आउट', settings: 'सेटिंग्स', reports: 'रिपोर्ट', drivers: 'चालक और कार्ड', signedInAs: '{{name}} ({{role}}) के रूप में साइन इन' },
  role: { admin: 'एडमिन', cashier: 'कैशियर', viewer: 'दर्शक' },
  theme: { label: 'थीम', light: 'हल्की', dark: 'गहरी', system: 'सिस्टम जैसी' },
  common: { save: 'सहेजें', cancel: 'रद्द करें', yes: 'हाँ', no: 'नहीं', none: 'कोई नहीं', back: 'वापस', apply: 'लागू करें', exportCsv: 'CSV निर्यात', print: 'प्रिंट', from: 'से', to: 'तक', actions: 'कार्रवाइयाँ', never: 'कभी नहीं', required: 'यह फ़ील्ड ज़रूरी है' },
  setup: { title: 'Chargeyard सेट अप करें', intro: 'अभी कोई स्टाफ़ उपयोगकर्ता नहीं है। एडमिन खाता बनाएँ और साइट सेट करें।', language: 'भाषा', siteName: 'साइट का नाम', currency: 'मुद्रा (ISO 4217)', timeZone: 'समय क्षेत्र', userName: 'एडमिन उपयोगकर्ता नाम', password: 'एडमिन पासवर्ड', passwordHint: 'कम से कम 8 अक्षर।', passwordConfirm: 'पासवर्ड दोबारा लिखें', policy: 'अज्ञात चार्जर', policyReject: 'अस्वीकार करें', policyPending: 'मंज़ूरी के लिए रोकें', policyAccept: 'स्वीकार करें', energyPrice: 'प्रति kWh ऊर्जा मूल्य (छोटी इकाई)', sessionFee: 'सत्र शुल्क (छोटी इकाई)', timePrice: 'प्रति घंटा मूल्य (छोटी इकाई)', publicBaseUrl: 'QR कोड के लिए सार्वजनिक URL (वैकल्पिक)', submit: 'सेटअप पूरा करें', done: 'सेटअप पहले ही हो चुका है।', mismatch: 'पासवर्ड मेल नहीं खाते' },
  login: { title: 'साइन इन', userName: 'उपयोगकर्ता नाम', password: 'पासवर्ड', submit: 'साइन इन', failed: 'गलत उपयोगकर्ता नाम या पासवर्ड।', locked: 'बहुत सारे असफल प्रयास। {{minutes}} मिनट बाद फिर कोशिश करें।', signedOut: 'आप साइन आउट हो गए हैं।' },
  dashboard: { title: 'डैशबोर्ड', online: 'ऑनलाइन', offline: 'ऑफ़लाइन', faulted: 'खराबी', pending: 'मंज़ूरी की प्रतीक्षा', chargers: 'चार्जर', connectors: 'कनेक्टर', activeSessions: 'चालू सत्र', noActive: 'कोई सत्र नहीं चल रहा।', todayEnergy: 'आज की ऊर्जा', todayRevenue: 'आज की आय', todaySessions: 'आज के सत्र', alerts: 'चेतावनियाँ', noAlerts: 'कोई चेतावनी नहीं।', alertOffline: 'चार्जर {{id}} ऑफ़लाइन है (आख़िरी बार {{at}})।', alertPending: 'चार्जर {{id}} मंज़ूरी की प्रतीक्षा में है।', updated: '{{at}} पर अपडेट', jobs: 'पृष्ठभूमि कार्य', jobName: 'कार्य', lastRun: 'पिछला रन', lastResult: 'परिणाम' },
  chargers: { title: 'चार्जर', id: 'चार्ज पॉइंट ID', name: 'नाम', registration: 'पंजीकरण', connection: 'कनेक्शन', connected: 'जुड़ा हुआ', disconnected: 'जुड़ा नहीं', lastSeen: 'आख़िरी बार देखा', connectors: 'कनेक्टर', connector: 'कनेक्टर', status: 'स्थिति', accept: 'स्वीकार करें', reject: 'अस्वीकार करें', pendingTitle: 'मंज़ूरी की प्रतीक्षा', register: 'पंजीकृत करें', remote: 'रिमोट कार्रवाइयाँ', send: 'भेजें', messageLog: 'OCPP संदेश लॉग' },
  sessions: { title: 'सत्र', charger: 'चार्जर', card: 'कार्ड', started: 'शुरू', stopped: 'बंद', energy: 'ऊर्जा', cost: 'लागत', status: 'स्थिति', active: 'चालू', completed: 'पूरा', none: 'कोई सत्र नहीं।' },
  audit: { title: 'ऑडिट लॉग', at: 'समय', actor: 'किसने', action: 'क्या', object: 'वस्तु', before: 'पहले', after: 'बाद में', none: 'कोई प्रविष्टि नहीं।' },
  errors: { notFound: 'पेज नहीं मिला', notFoundText: 'इस पते पर कुछ नहीं है।', forbidden: 'अनुमति नहीं', forbiddenText: 'आपकी भूमिका इसकी अनुमति नहीं देती।', csrf: 'फ़ॉर्म की अवधि समाप्त हो गई। पेज दोबारा लोड करें।', server: 'कुछ गलत हो गया', serverText: 'त्रुटि दर्ज कर ली गई है। फिर कोशिश करें।' },
  status: { Available: 'उपलब्ध', Preparing: 'तैयारी', Charging: 'चार्ज हो रहा', Finishing: 'समाप्त हो रहा', Unavailable: 'अनुपलब्ध', Faulted: 'खराबी', Unknown: 'अज्ञात' },
};
