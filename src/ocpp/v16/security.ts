import type { V16Profile } from './profile';

/**
 * The OCA white paper "Improved security for OCPP 1.6-J": security events, signed firmware and
 * log uploads, and certificate management, for charge points that implement it. Certificate
 * signing (SignCertificate) needs a certificate authority the appliance does not have, so it
 * has no handler and is answered NotSupported by the transport.
 */
export const security: V16Profile = {
  name: 'Security whitepaper',
  // Like firmware progress in Firmware Management, these report on what was under way before a reboot.
  allowedBeforeAcceptance: ['SecurityEventNotification', 'LogStatusNotification', 'SignedFirmwareStatusNotification'],
  outbound: [
    'CertificateSigned',
    'DeleteCertificate',
    'ExtendedTriggerMessage',
    'GetInstalledCertificateIds',
    'GetLog',
    'InstallCertificate',
    'SignedUpdateFirmware',
  ],
  handlers: ({ chargers }) => ({
    // Kept for staff: a security event is something a person should look at.
    async SecurityEventNotification(connection, request) {
      await chargers.recordEvent(connection.chargerId, 'SecurityEventNotification', request);
      return {};
    },

    async LogStatusNotification(connection, request) {
      await chargers.recordEvent(connection.chargerId, 'LogStatusNotification', request);
      return {};
    },

    async SignedFirmwareStatusNotification(connection, request) {
      await chargers.recordFirmwareStatus(connection.chargerId, 'SignedFirmwareStatusNotification', request, request.status);
      return {};
    },
  }),
};
