import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block L, FirmwareManagement: staff send UpdateFirmware (L01, L02) and
 * publish firmware on a local controller (L03, L04); the station reports progress, shown on its
 * page.
 */
export const firmwareManagement: V201Profile = {
  name: 'L FirmwareManagement',
  // Progress of an update that started before a reboot into Pending still counts.
  allowedBeforeAcceptance: ['FirmwareStatusNotification'],
  outbound: ['UpdateFirmware', 'PublishFirmware', 'UnpublishFirmware'],
  handlers: ({ chargers }) => ({
    async FirmwareStatusNotification(connection, request) {
      await chargers.recordFirmwareStatus(connection.chargerId, 'FirmwareStatusNotification', request, request.status);
      return {};
    },

    PublishFirmwareStatusNotification: recordOnly(chargers, 'PublishFirmwareStatusNotification', {}),
  }),
};
