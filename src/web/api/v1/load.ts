import type express from 'express';
import type { LoadView } from '../../../load';
import type { AppServices } from '../../../services';
import { actorOf, requireRole } from './http';

/** CONTRACT `GET /load`: the limits, the allocation in force and the measured draw per connector. */
export function loadApiView(view: LoadView) {
  return {
    limitW: view.limitW,
    marginW: view.marginW,
    allocatedW: view.allocatedW,
    drawW: view.drawW,
    connectors: view.connectors.map((connector) => ({
      chargerId: connector.chargerId,
      connectorId: connector.connectorId,
      maxW: connector.maxW,
      allocatedW: connector.allocatedW,
      drawW: connector.drawW,
    })),
  };
}

/** Site load management (CONTRACT `GET/PUT /load`); changes are audited in their own transaction. */
export function loadRoutes(router: express.Router, services: AppServices): void {
  router.get('/load', (_request, response) => {
    response.json(loadApiView(services.load.view()));
  });

  router.put('/load', requireRole('admin'), async (request, response) => {
    await services.load.settings.setLimits(request.body, actorOf(request));
    response.json(loadApiView(services.load.view()));
  });
}
