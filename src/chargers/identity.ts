/** CONTRACT: an identity is 1–48 printable ASCII characters other than `/`. */
export function isValidChargerId(id: string): boolean {
  return id.length >= 1 && id.length <= 48 && /^[\x20-\x2e\x30-\x7e]+$/.test(id);
}
