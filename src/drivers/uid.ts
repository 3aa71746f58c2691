import { badRequest } from '../shared';

/** How the desk reader prints a UID (site setting `cardReaderFormat`). Chargers send hex. */
type CardReaderFormat = 'hex' | 'decimal' | 'hex-reversed';

/** OCPP 2.0.1 idToken is at most 36 characters (1.6 idTag 20); UIDs are letters and digits only. */
const UID_PATTERN = /^[0-9A-Z]{1,36}$/;

/** Trims, drops separators (spaces, colons, dashes, dots, underscores) and upper-cases. */
export function normaliseUid(raw: string): string {
  return raw.trim().replace(/[\s:\-._]/g, '').toUpperCase();
}

export function isValidUid(uid: string): boolean {
  return UID_PATTERN.test(uid);
}

/** Normalises a UID from outside and refuses one no charger could send (400 invalid_uid). */
function parseUid(raw: string): string {
  const uid = normaliseUid(raw);
  if (!isValidUid(uid)) throw badRequest('invalid_uid', 'A card UID is 1–36 letters or digits (separators are ignored)');
  return uid;
}

/**
 * Converts what the desk reader printed into the form chargers send (hex, most significant byte
 * first), so a card scanned at the desk and presented at a charger is one card.
 */
export function uidFromReader(raw: string, format: CardReaderFormat): string {
  const uid = parseUid(raw);
  if (format === 'hex') return uid;
  if (format === 'decimal') {
    if (!/^\d+$/.test(uid)) throw badRequest('invalid_uid', 'The desk reader is set to decimal: a UID is digits only');
    let hex = BigInt(uid).toString(16).toUpperCase();
    // Readers print the UID as an unsigned number, which drops leading zero bytes: restore whole
    // bytes and at least the 4 bytes of the shortest (single-size) ISO 14443 UID.
    if (hex.length % 2 === 1) hex = `0${hex}`;
    return parseUid(hex.padStart(8, '0'));
  }
  if (!/^[0-9A-F]+$/.test(uid) || uid.length % 2 !== 0) {
    throw badRequest('invalid_uid', 'The desk reader is set to reversed hex: a UID is whole hex bytes');
  }
  return uid.match(/../g)!.reverse().join('');
}
