import type { V16Profile } from './profile';

/**
 * OCPP 1.6 Firmware Management profile (§3.3): staff send UpdateFirmware and GetDiagnostics
 * through the commands API; the charge point reports progress, shown on its page.
 */
export const firmwareManagement: V16Profile = {
  name: 'Firmware Management',
  // Progress of an update or upload that started before a reboot into Pending still counts.
  allowedBeforeAcceptance: ['DiagnosticsStatusNotification', 'FirmwareStatusNotification'],
  outbound: ['GetDiagnostics', 'UpdateFirmware'],
  handlers: ({ chargers }) => ({
    // §4.4
    async DiagnosticsStatusNotification(connection, request) {
      await chargers.recordDiagnosticsStatus(connection.chargerId, 'DiagnosticsStatusNotification', request, request.status);
      return {};
    },

    // §4.5
    async FirmwareStatusNotification(connection, request) {
      await chargers.recordFirmwareStatus(connection.chargerId, 'FirmwareStatusNotification', request, request.status);
      return {};
    },
  }),
};
