import type { ChargerService } from '../../chargers';
import type { Db } from '../../db';
import { isSecretSettingName, nowIso, REDACTED } from '../../shared';
import type { ConfigurationKeyView } from '../commands';
import type { OcppConnection } from '../connection';
import type {
  ComponentType,
  GetVariablesResponse,
  ReportDataType,
  SetVariablesRequest,
  SetVariablesResponse,
  VariableType,
} from '../generated/v201';
import { connectorStatusFrom201 } from './mapping';
import { callV201 } from './calls';
import type { DeviceVariableInsert, V201Repository } from './repository';

/** How long the charger gets to accept a GetBaseReport sent after its first boot. */
const BASE_REPORT_TIMEOUT_MS = 30_000;

/**
 * The device model of a 2.0.1 station (functional block B): what NotifyReport, GetVariables and
 * SetVariables told us, kept per component and variable, and the EVSEs it reports shown as the
 * same connectors staff see for a 1.6 charger (the connector number is the EVSE id, the unit a
 * driver picks and RequestStartTransaction names).
 */
export class DeviceModel {
  private nextRequestId = Math.floor(Date.now() / 1000) % 1_000_000_000;

  constructor(
    private readonly db: Db,
    private readonly repository: V201Repository,
    private readonly chargers: ChargerService,
  ) {}

  /** B07: a station that never reported its device model is asked for its full inventory. */
  requestBaseReportIfUnknown(connection: OcppConnection): void {
    if (this.repository.hasDeviceModel(connection.chargerId)) return;
    const payload = { requestId: this.nextRequestId++, reportBase: 'FullInventory' } as const;
    callV201(connection, 'GetBaseReport', payload, BASE_REPORT_TIMEOUT_MS).then(
      (response) => connection.logger.info({ status: response.status, requestId: payload.requestId }, 'GetBaseReport after first boot'),
      (error: unknown) => connection.logger.warn({ err: error }, 'GetBaseReport after first boot failed'),
    );
  }

  async recordReport(chargerId: string, reportData: readonly ReportDataType[]): Promise<void> {
    const reportedAt = nowIso();
    const rows: DeviceVariableInsert[] = [];
    for (const data of reportData) {
      for (const attribute of data.variableAttribute) {
        rows.push({
          ...variableKey(chargerId, data.component, data.variable, attribute.type),
          value: storedValue(data.variable.name, attribute.value),
          mutability: attribute.mutability ?? null,
          dataType: data.variableCharacteristics?.dataType ?? null,
          reportedAt,
        });
      }
    }
    await this.db.write(() => this.repository.upsertVariables(rows));
    await this.showReportedConnectors(chargerId, reportData);
  }

  /**
   * Each connector the report names (a `Connector` component at evse.id/evse.connectorId, or an
   * `EVSE` that names none: its connector 1) gets a row when it has none yet; a StatusNotification
   * (newer by nature) is never overwritten by an inventory.
   */
  private async showReportedConnectors(chargerId: string, reportData: readonly ReportDataType[]): Promise<void> {
    const known = new Set(this.chargers.view(chargerId)?.connectors.map((connector) => `${connector.connectorId}.${connector.evseConnectorId}`) ?? []);
    const evseStates = new Map<number, string | undefined>();
    const plugStates = new Map<string, { evseId: number; evseConnectorId: number; state: string | undefined }>();
    for (const data of reportData) {
      const evseId = data.component.evse?.id;
      if (evseId === undefined || evseId === 0) continue;
      if (data.component.name !== 'EVSE' && data.component.name !== 'Connector') continue;
      const reported = data.variable.name === 'AvailabilityState' ? data.variableAttribute.find((attribute) => (attribute.type ?? 'Actual') === 'Actual')?.value : undefined;
      if (data.component.name === 'EVSE') {
        evseStates.set(evseId, reported ?? evseStates.get(evseId));
        continue;
      }
      const evseConnectorId = data.component.evse?.connectorId ?? 1;
      const key = `${evseId}.${evseConnectorId}`;
      plugStates.set(key, { evseId, evseConnectorId, state: reported ?? plugStates.get(key)?.state });
    }
    for (const evseId of evseStates.keys()) {
      const named = [...plugStates.values()].some((plug) => plug.evseId === evseId);
      if (!named) plugStates.set(`${evseId}.1`, { evseId, evseConnectorId: 1, state: undefined });
    }
    for (const [key, plug] of plugStates) {
      if (known.has(key)) continue;
      const state = plug.state ?? evseStates.get(plug.evseId) ?? 'Unknown';
      await this.chargers.recordStatus(chargerId, { connectorId: plug.evseId, evseConnectorId: plug.evseConnectorId, evseId: plug.evseId, status: connectorStatusFrom201(state, false), errorCode: 'NoError' });
    }
  }

  /**
   * The station's variables as configuration keys (Actual values, as last reported or set), so
   * staff see and change them the way they do a 1.6 charger's GetConfiguration keys.
   */
  configurationKeys(chargerId: string): ConfigurationKeyView[] {
    return this.repository
      .variables(chargerId)
      .filter((row) => row.attributeType === 'Actual')
      .map((row) => ({ key: configurationKeyOf(row), value: row.value, readonly: row.mutability === 'ReadOnly' }));
  }

  /** The SetVariables payload that changes a configuration key; undefined for an unknown key. */
  setVariablesFor(chargerId: string, key: string, value: string): SetVariablesRequest | undefined {
    const row = this.repository.variables(chargerId).find((candidate) => candidate.attributeType === 'Actual' && configurationKeyOf(candidate) === key);
    if (!row) return undefined;
    const evse = row.evseId > 0 ? { evse: { id: row.evseId, ...(row.connectorId > 0 ? { connectorId: row.connectorId } : {}) } } : {};
    return {
      setVariableData: [
        {
          attributeValue: value,
          component: { name: row.componentName, ...(row.componentInstance ? { instance: row.componentInstance } : {}), ...evse },
          variable: { name: row.variableName, ...(row.variableInstance ? { instance: row.variableInstance } : {}) },
        },
      ],
    };
  }

  /** Keeps what GetVariables returned, so staff see a station's settings like 1.6 configuration keys. */
  async recordGetVariables(chargerId: string, response: GetVariablesResponse): Promise<void> {
    const results = response.getVariableResult;
    const reportedAt = nowIso();
    const rows = results
      .filter((result) => result.attributeStatus === 'Accepted')
      .map((result) => ({ ...variableKey(chargerId, result.component, result.variable, result.attributeType), value: storedValue(result.variable.name, result.attributeValue), reportedAt }));
    if (rows.length > 0) await this.db.write(() => this.repository.upsertVariables(rows));
  }

  /** Keeps the values a station accepted in SetVariables (RebootRequired values too: they are set). */
  async recordSetVariables(chargerId: string, request: SetVariablesRequest, response: SetVariablesResponse): Promise<void> {
    const requested = request.setVariableData;
    const results = response.setVariableResult;
    const reportedAt = nowIso();
    const rows: DeviceVariableInsert[] = [];
    for (const result of results) {
      if (result.attributeStatus !== 'Accepted' && result.attributeStatus !== 'RebootRequired') continue;
      const key = variableKey(chargerId, result.component, result.variable, result.attributeType);
      const data = requested.find((candidate) => sameKey(variableKey(chargerId, candidate.component, candidate.variable, candidate.attributeType), key));
      if (data) rows.push({ ...key, value: storedValue(data.variable.name, data.attributeValue), reportedAt });
    }
    if (rows.length > 0) await this.db.write(() => this.repository.upsertVariables(rows));
  }
}

/** `Component[instance]@evse.connector/Variable[instance]`, e.g. `OCPPCommCtrlr/HeartbeatInterval`, `Connector@1.1/AvailabilityState`. */
function configurationKeyOf(row: { componentName: string; componentInstance: string; evseId: number; connectorId: number; variableName: string; variableInstance: string }): string {
  const component = `${row.componentName}${row.componentInstance ? `[${row.componentInstance}]` : ''}`;
  const where = row.evseId > 0 ? `@${row.evseId}${row.connectorId > 0 ? `.${row.connectorId}` : ''}` : '';
  return `${component}${where}/${row.variableName}${row.variableInstance ? `[${row.variableInstance}]` : ''}`;
}

type VariableKey = Pick<
  DeviceVariableInsert,
  'chargerId' | 'componentName' | 'componentInstance' | 'evseId' | 'connectorId' | 'variableName' | 'variableInstance' | 'attributeType'
>;

function variableKey(chargerId: string, component: ComponentType, variable: VariableType, attributeType: string | undefined): Required<VariableKey> {
  return {
    chargerId,
    componentName: component.name,
    componentInstance: component.instance ?? '',
    evseId: component.evse?.id ?? 0,
    connectorId: component.evse?.connectorId ?? 0,
    variableName: variable.name,
    variableInstance: variable.instance ?? '',
    attributeType: attributeType ?? 'Actual',
  };
}

function sameKey(a: Required<VariableKey>, b: Required<VariableKey>): boolean {
  return (Object.keys(a) as (keyof VariableKey)[]).every((field) => a[field] === b[field]);
}

/** CONTRACT: a secret variable (SecurityCtrlr.BasicAuthPassword...) is kept as `***`: staff see that it is set, never its value. */
function storedValue(variableName: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  return isSecretSettingName(variableName) ? REDACTED : value;
}
