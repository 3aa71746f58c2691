import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block M, ISO 15118 CertificateManagement: staff may list, install and
 * delete certificates on a station (M03, M04, M05). Get15118EVCertificate and
 * GetCertificateStatus (M01, M02, M06) need a certificate authority and OCSP (Plug & Charge),
 * which the appliance has not: they have no handler and are answered NotSupported.
 */
export const certificateManagement: V201Profile = {
  name: 'M ISO15118CertificateManagement',
  allowedBeforeAcceptance: [],
  outbound: ['GetInstalledCertificateIds', 'InstallCertificate', 'DeleteCertificate'],
  handlers: () => ({}),
};
