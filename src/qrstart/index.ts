export { QrStartService, DEFAULT_QR_START_TIMEOUTS, refusalError } from './service';
export type { QrStartDependencies, QrStartRow, QrStartStatus, QrStartTimeouts, QrStartView, StartRefusal, StartStopCommands } from './service';
export { StartHoldService, START_HOLD_TIMEOUT_MS } from './holds';
export type { PlaceStartHoldInput } from './holds';
export { DriverSignInService, DRIVER_SESSION_MS, MAX_PIN_FAILURES, PIN_LOCKOUT_MS } from './driver-sign-in';
export type { SignInOutcome } from './driver-sign-in';
export { connectorPageUrl, qrSvg, readableUrl } from './labels';
