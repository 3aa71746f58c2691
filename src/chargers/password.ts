import { randomCode } from '../shared';

/** Letters and digits nobody misreads when typing them into a charger's menu (no l, o, 0, 1). */
const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/**
 * The OCPP 1.6 security whitepaper wants 16–20 bytes of password (AuthorizationKey); 20 letters
 * from 32 give 100 bits, beyond any guessing over a LAN.
 */
const PASSWORD_LENGTH = 20;

/** A charger password the appliance makes for staff (security profile 1/2 Basic auth). */
export function newChargerPassword(): string {
  return randomCode(PASSWORD_ALPHABET, PASSWORD_LENGTH);
}

/** The same password as OCPP 1.6 `AuthorizationKey` takes it: hex-encoded (security whitepaper). */
export function authorizationKeyHex(password: string): string {
  return Buffer.from(password, 'utf8').toString('hex').toUpperCase();
}
