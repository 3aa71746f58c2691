import { recordOnly, type V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block N, Diagnostics: log uploads (N01), monitoring (N02-N06), events
 * (N07, N08) and customer information (N09, N10). What the station reports is kept for staff.
 */
export const diagnostics: V201Profile = {
  name: 'N Diagnostics',
  allowedBeforeAcceptance: ['LogStatusNotification', 'NotifyEvent', 'NotifyMonitoringReport'],
  outbound: ['GetLog', 'GetMonitoringReport', 'SetMonitoringBase', 'SetVariableMonitoring', 'SetMonitoringLevel', 'ClearVariableMonitoring', 'CustomerInformation'],
  handlers: ({ chargers }) => ({
    // N01: shown on the charger's page like a 1.6 DiagnosticsStatusNotification.
    async LogStatusNotification(connection, request) {
      await chargers.recordDiagnosticsStatus(connection.chargerId, 'LogStatusNotification', request, request.status);
      return {};
    },

    NotifyEvent: recordOnly(chargers, 'NotifyEvent', {}),
    NotifyMonitoringReport: recordOnly(chargers, 'NotifyMonitoringReport', {}),
    NotifyCustomerInformation: recordOnly(chargers, 'NotifyCustomerInformation', {}),
  }),
};
