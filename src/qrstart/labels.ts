import QRCode from 'qrcode';

/**
 * CONTRACT "Web pages": a connector's QR code encodes `{publicBaseUrl}/q/{chargePointId}/{connectorId}`.
 * The identity may hold any printable ASCII but `/`, so it is percent-encoded where needed.
 */
export function connectorPageUrl(baseUrl: string, chargerId: string, connectorId: number): string {
  return `${baseUrl.replace(/\/+$/, '')}/q/${encodeURIComponent(chargerId)}/${connectorId}`;
}

/** The URL as printed under the code, for a driver who types it: no scheme, no trailing slash. */
export function readableUrl(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

/**
 * The QR code as an SVG document. Error correction M survives a scratched or dirty sticker; the
 * four-module quiet zone is what the QR standard asks for so phone cameras find the code.
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
}
