import { loadEn } from './load';
import { qrEn } from './qr';
import { maintenanceEn } from './maintenance';
import { paymentsEn } from './payments';

/** The English message catalogue: every visible string of the staff UI. Other languages fall back to it. */
export const en = {
  app: { name: 'Chargeyard', skip: 'Skip to content', live: 'Messages', mainNav: 'Main' },
  nav: { dashboard: 'Dashboard', chargers: 'Chargers', sessions: 'Sessions', cashier: 'Cashier', audit: 'Audit log', staff: 'Staff', tokens: 'API tokens', logout: 'Sign out', settings: 'Settings', reports: 'Reports', drivers: 'Drivers and cards', signedInAs: 'Signed in as {{name}} ({{role}})', maintenance: 'Maintenance', load: 'Load' },
  role: { admin: 'Admin', cashier: 'Cashier', viewer: 'Viewer' },
  language: { en: 'English', pa: 'ਪੰਜਾਬੀ (Punjabi)', hi: 'हिन्दी (Hindi)' },
  theme: { label: 'Theme', light: 'Light', dark: 'Dark', system: 'As the system' },
  common: { save: 'Save', cancel: 'Cancel', yes: 'Yes', no: 'No', none: 'None', back: 'Back', apply: 'Apply', exportCsv: 'Export CSV', print: 'Print', from: 'From', to: 'To', actions: 'Actions', never: 'never', required: 'This field is required' },
  setup: {
    title: 'Set up Chargeyard', intro: 'No staff user exists yet. Create the admin account and set up the site.',
    language: 'Language', siteName: 'Site name', currency: 'Currency (ISO 4217)', timeZone: 'Time zone (IANA, e.g. Asia/Kolkata)',
    userName: 'Admin user name', password: 'Admin password', passwordHint: 'At least 8 characters.', passwordConfirm: 'Repeat the password',
    policy: 'Unknown chargers', policyReject: 'Reject them', policyPending: 'Hold them for approval', policyAccept: 'Accept them',
    energyPrice: 'Energy price per kWh (minor units)', sessionFee: 'Session fee (minor units)', timePrice: 'Price per hour (minor units)',
    publicBaseUrl: 'Public base URL for QR codes (optional)', submit: 'Finish setup', done: 'Setup is already done.', mismatch: 'The passwords differ',
  },
  login: { title: 'Sign in', userName: 'User name', password: 'Password', submit: 'Sign in', failed: 'Wrong user name or password.', locked: 'Too many failed sign-ins. Try again in {{minutes}} minutes.', signedOut: 'You are signed out.' },
  dashboard: {
    lastBackup: 'Last backup', title: 'Dashboard', online: 'Online', offline: 'Offline', faulted: 'Faulted', pending: 'Waiting for approval', chargers: 'Chargers', connectors: 'Connectors',
    activeSessions: 'Active sessions', noActive: 'No session is running.', todayEnergy: 'Energy today', todayRevenue: 'Revenue today', todaySessions: 'Sessions today',
    alerts: 'Alerts', noAlerts: 'No alerts.', alertOffline: 'Charger {{id}} is offline (last seen {{at}}).', alertFaulted: 'Charger {{id}} connector {{connector}} reports {{error}}.',
    alertStuck: 'Session {{id}} on {{charger}} has had no meter value since {{at}}.', alertBackup: 'The last backup is {{age}} old.', alertNoBackup: 'No backup has been taken yet.', alertJob: 'Job {{name}} failed: {{result}}.', alertPendingMore: '{{number}} more chargers wait for approval.', alertOpenAfterReboot: 'Session {{id}} is still open although {{charger}} restarted; close it if the charger will not end it.', alertPending: 'Charger {{id}} waits for approval.', alertUnknownCard: 'Unknown card {{id}} was presented at {{charger}} ({{at}}).',
    updated: 'Updated {{at}}', jobs: 'Background jobs', jobName: 'Job', lastRun: 'Last run', lastResult: 'Result',
  },
  chargers: {
    confirmReject: 'Reject charger {{id}}? It is refused when it connects and cannot charge until it is accepted again.', confirmHardReset: 'Hard reset {{id}}? A running session is cut off at once.',
    title: 'Chargers', id: 'Charge point ID', stopSession: 'Stop session {{id}} (connector {{connector}}, card {{card}})', name: 'Name', registration: 'Registration', connection: 'Connection', connected: 'Connected', disconnected: 'Not connected', lastSeen: 'Last seen',
    vendor: 'Vendor', model: 'Model', firmware: 'Firmware', ocppVersion: 'OCPP', connectors: 'Connectors', connector: 'Connector', status: 'Status', error: 'Error', none: 'No charger is registered yet.',
    pendingTitle: 'Waiting for approval', accept: 'Accept', reject: 'Reject', add: 'Register a charger', password: 'Password (optional, OCPP security profile 1)', register: 'Register',
    accepted: 'Accepted', pending: 'Pending', rejected: 'Rejected', detail: 'Charger {{id}}', messageLog: 'OCPP message log', direction: 'Direction', action: 'Action', frame: 'Message', at: 'Time',
    remote: 'Remote actions', start: 'Start charging', stop: 'Stop session', reset: 'Reset', resetSoft: 'Soft', resetHard: 'Hard', unlock: 'Unlock connector', availability: 'Change availability',
    operative: 'Operative', inoperative: 'Inoperative', trigger: 'Trigger message', clearCache: 'Clear cache', idTag: 'Card UID (idTag)', transactionId: 'Transaction', send: 'Send',
    reply: '{{action}} answered: {{reply}}', failed: '{{action}} failed: {{message}}', config: 'Configuration keys', getConfig: 'Read configuration', key: 'Key', value: 'Value', readonly: 'Read-only', change: 'Change',
    sessions: 'Sessions on this charger', remove: 'Remove charger', removed: 'Charger {{id}} was removed.', saved: 'Saved.', chart: 'Last 30 days', energy: 'Energy', hoursInUse: 'Hours in use', revenue: 'Revenue',
  },
  cashier: {
    title: 'Cashier', scan: 'Card, phone number or name', scanButton: 'Find', unknownCard: 'Card {{uid}} is not registered.', badUid: 'That is not a card UID.',
    holder: 'Holder', kind: 'Kind', status: 'Status', balance: 'Balance', available: 'Available', noHolder: 'No driver', personal: 'Personal (no balance)', prepaid: 'Prepaid',
    active: 'Active', blocked: 'Blocked', lost: 'Lost', lastSessions: 'Last sessions', topUp: 'Top up', quick: 'Quick amounts', amount: 'Amount ({{currency}})', method: 'Payment method',
    cash: 'Cash', card: 'Card', transfer: 'Transfer', upi: 'UPI', badAmount: 'Enter an amount greater than zero, e.g. 500 or 500.50', badMethod: 'Choose how the driver pays', tooLarge: 'That is more than one desk top-up may be (10,00,000). Was a card scanned into the amount?',
    newCard: 'Register as a new prepaid card and top up', driverName: 'Driver name (optional)', driverPhone: 'Driver phone (optional)', nameAndPhone: 'Give both name and phone, or neither',
    receipt: 'Receipt', receiptNo: 'Receipt no.', cashier: 'Cashier', newBalance: 'New balance', at: 'Time', done: 'Topped up {{amount}}. New balance {{balance}}.', next: 'Scan the next card',
    shift: 'Shift', openShift: 'Open shift', openingFloat: 'Opening float', closeShift: 'Close shift', countedCash: 'Counted cash', note: 'Note', shiftOpen: 'Shift open since {{at}}',
    noShift: 'No shift is open. Top-ups are still recorded, without a shift.', totals: 'Totals', expectedCash: 'Expected cash', difference: 'Difference', zReport: 'Z-report',
    personalNoTopup: 'A personal card has no balance and cannot be topped up.', printA4: 'Print on A4', printThermal: 'Print on 80 mm roll', failed: 'Top-up refused: {{message}}', scanHint: 'Scan a card, or type a phone number or part of a name.', notFound: 'Nothing found for “{{value}}”. Scan a card, or type a phone number or a name.', amountHint: 'For example 500 or 1,000.50. Enter goes to the confirmation; nothing is paid yet.', paid: 'Amount paid', driver: 'Driver', thanks: 'Thank you. Please keep this receipt.', confirmTitle: 'Check and confirm', confirmSummary: '{{amount}} {{method}} → {{name}}', confirmBalance: 'New balance {{balance}}', confirmNewCard: 'Card {{uid}} is registered as a new prepaid card without a driver.', confirmNewDriver: 'Card {{uid}} is registered for the new driver {{name}}.', confirmCardOfDriver: 'Card {{uid}} is registered for {{name}}, who already has this phone number.', confirmButton: 'Confirm top-up', backButton: 'Back', largeWarning: 'This is more than {{limit}}. Check the amount with the driver before confirming.', matches: 'Drivers matching “{{value}}”', unknownHint: 'Check the number on the card. Register it only if this is a new card for a driver.', registerCard: 'Register {{uid}} as a new prepaid card', cardExists: 'This card is already registered.',
  },
  drivers: {
    title: 'Drivers and cards', detail: 'Driver {{id}}', name: 'Name', phone: 'Phone', email: 'Email (optional)', pin: 'PIN for the QR page (4-8 digits, optional)', pinHint: 'Leave empty to keep it unchanged.',
    cards: 'Cards', none: 'No drivers yet.', add: 'Add a driver', create: 'Add driver', anonymousCards: 'Cards without a driver', unknownCards: 'Unknown cards seen at chargers', lastSeenAt: 'Last seen',
    timesSeen: 'Times seen', attach: 'Register card', attachTo: 'Driver for', addCard: 'Add a card', cardUid: 'Card UID', edit: 'Edit driver', consumption: 'Charging sessions', topups: 'Top-ups',
    refund: 'Refund', refundAll: 'all that is left', reason: 'Reason', adjust: 'Adjust balance', adjustAmount: 'Amount (negative to take off)', badSignedAmount: 'Enter a non-zero amount, e.g. 50 or -12.50',
    reasonNeeded: 'Give a reason of at least 3 characters', refundFailed: 'Refund refused: {{message}}', set_active: 'Unblock', set_blocked: 'Block', set_lost: 'Mark lost', topUp: 'Top up at the cashier',
  },
  tariffs: { idleFee: 'Idle fee per hour after charging (minor units)', idleGrace: 'Idle grace (minutes)', inForce: 'Tariff in force', default: 'the site default', override: 'an override for this charger', setOverride: 'Set a tariff for this charger', removeOverride: 'Use the site default again' , bands: 'Time-of-day energy prices', bandsHint: 'Each row replaces the energy price between two local times; a band whose end is earlier than its start runs over midnight. Leave a row empty to skip it.', bandRow: 'Band {{number}}', bandFrom: 'From (HH:MM)', bandTo: 'To (HH:MM)', bandPriceLabel: 'Price per kWh ({{currency}})', bandTime: 'Enter a time as HH:MM, such as 22:00', bandBadPrice: 'Enter a price such as 8.50', bandEmpty: 'A band must end at a different time than it starts', bandOverlap: 'This band overlaps an earlier band', bandSummary: 'From {{start}} to {{end}}'},
  settings: { title: 'Settings', language: 'Default language', minimumBalance: 'Minimum balance to start charging', cardReaderFormat: 'Desk card reader format', tariff: 'Default tariff', phoneCountryCode: 'Country calling code for phone numbers', phoneCountryCodeHint: 'Numbers written without a + and country code get this one, e.g. 91 for India.', siteAddress: 'Site address (printed on receipts)', siteAddressHint: 'One line each for street, town and phone, as the receipt should show them.', largeTopupWarning: 'Ask the cashier to double-check top-ups above ({{currency}})', largeTopupWarningHint: 'The confirm step shows a warning above this amount; 0 turns it off.', receiptPaper: 'Receipt paper', paper_thermal: '80 mm thermal roll', paper_a4: 'A4 sheet' },
  reports: { title: 'Reports', chargersTitle: 'Chargers per day', date: 'Date', fees: 'Fees', daily: 'Daily report', total: 'Total', period: 'Consumption per driver or card', byUser: 'Per driver', byCard: 'Per card', key: 'Driver or card' },
  sessions: { title: 'Sessions', id: 'Session', charger: 'Charger', card: 'Card', started: 'Started', stopped: 'Stopped', energy: 'Energy', cost: 'Cost', status: 'Status', active: 'Active', completed: 'Completed', none: 'No sessions.', running: 'running', older: 'Older sessions', detail: 'Session {{id}}', stopReason: 'Stop reason', breakdown: 'Cost breakdown (exact parts in minor units in brackets)', meterValues: 'Energy over the session', flags: 'Flags', chargerTime: 'Charger clock said', closeTitle: 'Close this session', closeHint: 'Only when the charger will never end it (replaced, broken, gone). It is billed now, up to its last trusted meter reading; a stop the charger sends later bills nothing more.', closeReason: 'Reason', close: 'Close session {{id}}', closeConfirm: 'Close session {{id}} and bill it now?', closed: 'Session {{id}} was closed and billed.', closedBy: 'Closed by staff', reasonNeeded: 'Give a reason.' },
  sessionFlags: { meter_start_unknown: 'No meter reading at the start yet', stuck: 'No meter values for a long time', start_time_untrusted: 'The charger\'s start time could not be true: the arrival time stands in', stop_time_untrusted: 'The charger\'s stop time could not be true: the arrival time stands in', stop_before_start: 'Stopped before it started: no time billed', meter_reading_untrusted: 'A meter reading could not be true: kept, not billed', meter_stop_untrusted: 'The meter reading at the stop could not be true: billed up to the last trusted reading', closed_by_staff: 'Closed by staff', open_after_reboot: 'The charger restarted and never ended this session: close it if it never will' },
  audit: { title: 'Audit log', at: 'Time', actor: 'Who', action: 'What', object: 'Object', before: 'Before', after: 'After', none: 'No entries.', filterActor: 'User', filterObject: 'Object type', older: 'Older entries' },
  staff: { locked: 'Locked after failed sign-ins', unlock: 'Unlock', title: 'Staff users', add: 'Add a staff user', userName: 'User name', displayName: 'Name', role: 'Role', language: 'Language', password: 'Password', create: 'Create', disabled: 'Disabled', enabled: 'Enabled', disable: 'Disable', enable: 'Enable', created: 'Staff user {{name}} was created.', profile: 'My preferences', changePassword: 'Change my password', currentPassword: 'Current password', newPassword: 'New password', wrongPassword: 'The current password is wrong' },
  tokens: { title: 'API tokens', name: 'Name', role: 'Role', created: 'Created', revoked: 'Revoked', revoke: 'Revoke', create: 'Create token', shown: 'Copy this token now; it is not shown again:', none: 'No tokens yet.' },
  errors: { notFound: 'Page not found', notFoundText: 'There is nothing at this address.', forbidden: 'Not allowed', forbiddenText: 'Your role does not allow this.', csrf: 'The form has expired. Reload the page and try again.', server: 'Something went wrong', serverText: 'The error was logged. Try again.', tooMany: 'Too many attempts' },
  status: { Available: 'Available', Preparing: 'Preparing', Charging: 'Charging', SuspendedEV: 'Suspended by car', SuspendedEVSE: 'Suspended by charger', Finishing: 'Finishing', Reserved: 'Reserved', Unavailable: 'Unavailable', Faulted: 'Faulted', Occupied: 'Occupied', Unknown: 'Unknown' },
  validation: { phone: 'Enter a phone number, such as +91 98140 12345 or 98140 12345' },
  qr: qrEn,
  maintenance: maintenanceEn,
  payments: paymentsEn,
  load: loadEn,
};

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
type Catalogue = Widen<typeof en>;
type DeepPartial<T> = { [K in keyof T]?: T[K] extends string ? string : DeepPartial<T[K]> };
export type PartialCatalogue = DeepPartial<Catalogue>;
