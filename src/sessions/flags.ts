/**
 * What a session's `flags` name for staff (CONTRACT `GET /sessions`: untrusted timestamps or
 * meter readings, a session closed by staff). Each is a stable word; the UI translates it.
 */
export const SESSION_FLAGS = {
  /** The charger gave no energy register at the start (yet): its first reading becomes the start. */
  meterStartUnknown: 'meter_start_unknown',
  /** No meter value for a long time (the stuck-sessions job); comes off when values arrive. */
  stuck: 'stuck',
  /** The charger's start time cannot be true: the time the message arrived stands in. */
  startTimeUntrusted: 'start_time_untrusted',
  /** The charger's stop time cannot be true: the time the message arrived stands in. */
  stopTimeUntrusted: 'stop_time_untrusted',
  /** The stop is earlier than the start: no time is billed. */
  stopBeforeStart: 'stop_before_start',
  /** A meter reading during the session cannot be true: kept, never billed. */
  meterReadingUntrusted: 'meter_reading_untrusted',
  /** The meter reading of the stop cannot be true: billed up to the last trusted reading. */
  meterStopUntrusted: 'meter_stop_untrusted',
  /** Ended by staff because the charger never would (CONTRACT `POST /sessions/{id}/close`). */
  closedByStaff: 'closed_by_staff',
  /** Open on a charger that restarted since and never ended it (the stuck-sessions job). */
  openAfterReboot: 'open_after_reboot',
  /**
   * A 2.0.1 transaction that charged without any idToken (free vend, or type NoAuthorization):
   * no card and no driver, priced with the tariff, posted to no balance.
   */
  freeVend: 'free_vend',
} as const;

export type SessionFlag = (typeof SESSION_FLAGS)[keyof typeof SESSION_FLAGS];

export function parseFlags(flagsJson: string): string[] {
  return JSON.parse(flagsJson) as string[];
}

/** The flags with `flag` added (once). */
export function withFlag(flags: readonly string[], flag: SessionFlag): string[] {
  return flags.includes(flag) ? [...flags] : [...flags, flag];
}
