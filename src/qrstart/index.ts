export { QrStartService, refusalError, START_REFUSALS } from './service';
export type { QrStartRow, QrStartTimeouts, StartStopCommands } from './service';
export { StartHoldService } from './holds';

export { DriverSignInService, DRIVER_SESSION_MS } from './driver-sign-in';
export type { SignInOutcome } from './driver-sign-in';

export { connectorPageUrl, qrSvg, readableUrl } from './labels';
