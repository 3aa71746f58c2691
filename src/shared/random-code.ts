import { randomInt } from 'node:crypto';

/**
 * `length` characters drawn uniformly from `alphabet` with a CSPRNG: payment references, charger
 * passwords, QR start tags and the setup code (each its own alphabet for who types or reads it).
 */
export function randomCode(alphabet: string, length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}
