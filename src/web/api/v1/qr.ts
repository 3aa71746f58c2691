import { connectorPageUrl, qrSvg } from '../../../qrstart';
import { notFound } from '../../../shared';
import type { ApiRouteGroup } from './http';

/** CONTRACT `GET /chargers/{id}/connectors/{connectorId}/qr`: the connector's QR code as image/svg+xml. */
export const qrRoutes: ApiRouteGroup = (router, services) => {
  router.get('/chargers/:chargerId/connectors/:connectorId/qr', async (request, response) => {
    const chargerId = String(request.params.chargerId);
    const raw = String(request.params.connectorId);
    if (!services.chargers.view(chargerId)) throw notFound('Charger', chargerId);
    if (!/^[1-9]\d{0,3}$/.test(raw)) throw notFound('Connector', `${chargerId}/${raw}`);
    const base = (services.settings.get().publicBaseUrl ?? services.uiUrl()).replace(/\/+$/, '');
    const svg = await qrSvg(connectorPageUrl(base, chargerId, Number(raw)));
    response.type('image/svg+xml').send(svg);
  });
};
