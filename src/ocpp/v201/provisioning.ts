import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block B, Provisioning: booting (B01-B03), the device model a station
 * reports (B07 GetBaseReport, B08 GetReport, answered with NotifyReport; B05 SetVariables, B06
 * GetVariables), network profiles (B09) and resets (B11, B12).
 */
export const provisioning: V201Profile = {
  name: 'B Provisioning',
  // B02.FR.01: while Pending the CSMS may still read and configure the station, so what it
  // reports about itself is taken.
  allowedBeforeAcceptance: ['BootNotification', 'NotifyReport'],
  outbound: ['GetBaseReport', 'GetReport', 'GetVariables', 'SetVariables', 'SetNetworkProfile', 'Reset'],
  handlers: ({ chargers, deviceModel }) => ({
    // B01-B03: the answer says whether staff (or the site's policy) accepted the station.
    async BootNotification(connection, request) {
      const station = request.chargingStation;
      const result = await chargers.boot(connection.chargerId, {
        vendor: station.vendorName,
        model: station.model,
        serialNumber: station.serialNumber,
        firmwareVersion: station.firmwareVersion,
        iccid: station.modem?.iccid,
        imsi: station.modem?.imsi,
      });
      if (result.status === 'Accepted') {
        // Sent once the BootNotification answer is on the wire: a station accepts CSMS calls
        // only after it knows it was accepted.
        setImmediate(() => deviceModel.requestBaseReportIfUnknown(connection));
      }
      return { status: result.status, currentTime: result.currentTime, interval: result.intervalS };
    },

    // B07/B08: one part of a report (a report may come in several, by seqNo).
    async NotifyReport(connection, request) {
      await deviceModel.recordReport(connection.chargerId, request.reportData ?? []);
      return {};
    },
  }),
};
