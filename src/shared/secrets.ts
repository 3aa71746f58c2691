/** What a secret value reads as in every log, message log, API answer and audit entry (CONTRACT). */
export const REDACTED = '***';

/** CONTRACT: a 1.6 configuration key or 2.0.1 variable whose name contains Password, Key or Secret holds a secret. */
const SECRET_SETTING_NAME = /password|key|secret/i;

/**
 * Properties that hold a secret by their own name, wherever they appear: passwords and secrets,
 * 2.0.1 SetNetworkProfile's `vpn.key` and `apn.simPin`, and a driver's `pin` or an API `token` in
 * an audit entry. `idToken`, `unknownKey` or `configurationKey` are not among them.
 */
const SECRET_PROPERTY = /password|secret|^key$|^pin$|simPin$|^token$/i;

/**
 * Cheap pre-check for frames, run on every frame logged: one without any of these has nothing to
 * hide. A `pin` or `token` property ends in a quote; `idToken` (every 2.0.1 Authorize and
 * TransactionEvent) is no secret and is not parsed for nothing.
 */
const MAY_HOLD_A_SECRET = /password|key|secret|pin"|"token"/i;

export function isSecretSettingName(name: string): boolean {
  return SECRET_SETTING_NAME.test(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A copy of `value` with every secret replaced by `***` (issue 13):
 * - a 1.6 KeyValue or ChangeConfiguration `{key, value}` whose key names a secret;
 * - a 2.0.1 SetVariableData, GetVariableResult or ReportData whose variable names a secret
 *   (`attributeValue`, or each `variableAttribute[].value`);
 * - any property that is a secret by its own name (SECRET_PROPERTY).
 */
export function redactSecrets<T>(value: T): T {
  return redact(value) as T;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (!isRecord(value)) return value;
  // A 1.6 KeyValue names its setting in `key` (and has a value or readonly beside it).
  const isKeyValue = typeof value.key === 'string' && ('value' in value || 'readonly' in value);
  const namesSecretSetting =
    (isKeyValue && isSecretSettingName(value.key as string)) ||
    (isRecord(value.variable) && typeof value.variable.name === 'string' && isSecretSettingName(value.variable.name));
  const copy: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    if (namesSecretSetting && (name === 'value' || name === 'attributeValue') && typeof inner === 'string') copy[name] = REDACTED;
    else if (namesSecretSetting && name === 'variableAttribute' && Array.isArray(inner)) {
      copy[name] = inner.map((attribute) => (isRecord(attribute) && typeof attribute.value === 'string' ? { ...attribute, value: REDACTED } : redact(attribute)));
    } // 2.0.1 APNType.simPin is an integer: a secret by name is hidden whether text or number.
    else if (!(isKeyValue && name === 'key') && SECRET_PROPERTY.test(name) && (typeof inner === 'string' || typeof inner === 'number')) copy[name] = REDACTED;
    else copy[name] = redact(inner);
  }
  return copy;
}

/** An OCPP-J frame (JSON text) with its secrets replaced; a frame that is not JSON is kept as it came. */
export function redactFrame(frame: string): string {
  if (!MAY_HOLD_A_SECRET.test(frame)) return frame;
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return frame;
  }
  const redacted = JSON.stringify(redact(parsed));
  return redacted === JSON.stringify(parsed) ? frame : redacted;
}
