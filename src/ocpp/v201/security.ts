import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block A, Security: security events are kept for staff (A04); staff may
 * install a signed station certificate (A02/A03 CertificateSigned). The certificate signing
 * request itself (SignCertificate) needs a certificate authority the appliance does not have, so
 * it has no handler and is answered NotSupported by the transport.
 */
export const security: V201Profile = {
  name: 'A Security',
  allowedBeforeAcceptance: ['SecurityEventNotification'],
  outbound: ['CertificateSigned'],
  handlers: ({ chargers }) => ({
    SecurityEventNotification: recordOnly(chargers, 'SecurityEventNotification', {}),
  }),
};
