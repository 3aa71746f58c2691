/**
 * OCPP-J error taxonomy. Handlers and the transport raise version-neutral kinds; the connection
 * turns a kind into the CALLERROR code of its own OCPP version (OCPP-J 1.6 §4.2.3, OCPP 2.0.1
 * part 4 §4.3), because the two versions spell several codes differently.
 */
export type OcppErrorKind =
  | 'FormationViolation'
  | 'ProtocolError'
  | 'PropertyConstraintViolation'
  | 'OccurrenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'NotImplemented'
  | 'NotSupported'
  | 'SecurityError'
  | 'MessageTypeNotSupported'
  | 'InternalError'
  | 'GenericError'
  /** A frame that is not JSON at all (no message id can be read). */
  | 'UnparsableFrame'
  /** JSON that is not an RPC message: not an array, no readable id, a CALL without an action. */
  | 'MalformedRpcMessage';

export type OcppVersion = '1.6' | '2.0.1';

const V16_CODES: Record<OcppErrorKind, string> = {
  FormationViolation: 'FormationViolation',
  ProtocolError: 'ProtocolError',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation', // sic: OCPP-J 1.6 spells it so
  TypeConstraintViolation: 'TypeConstraintViolation',
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  SecurityError: 'SecurityError',
  // 1.6 has no MessageTypeNotSupported; an unknown message type is a protocol error there.
  MessageTypeNotSupported: 'ProtocolError',
  InternalError: 'InternalError',
  GenericError: 'GenericError',
  UnparsableFrame: 'FormationViolation',
  MalformedRpcMessage: 'ProtocolError',
};

const V201_CODES: Record<OcppErrorKind, string> = {
  FormationViolation: 'FormatViolation',
  ProtocolError: 'ProtocolError',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  OccurrenceConstraintViolation: 'OccurrenceConstraintViolation',
  TypeConstraintViolation: 'TypeConstraintViolation',
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  SecurityError: 'SecurityError',
  MessageTypeNotSupported: 'MessageTypeNotSupported',
  InternalError: 'InternalError',
  GenericError: 'GenericError',
  // OCPP 2.0.1 part 4 §4.3: "Content of the call is not a valid RPC Request, for example:
  // MessageId could not be read" has its own code there.
  UnparsableFrame: 'RpcFrameworkError',
  MalformedRpcMessage: 'RpcFrameworkError',
};

export function errorCodeFor(version: OcppVersion, kind: OcppErrorKind): string {
  return version === '1.6' ? V16_CODES[kind] : V201_CODES[kind];
}

/** An error to answer as CALLERROR; the connection stays up. */
export class OcppError extends Error {
  constructor(
    readonly kind: OcppErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OcppError';
  }
}

/** The charger answered one of our CALLs with a CALLERROR. */
export class OcppCallError extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorDescription: string,
    readonly errorDetails: unknown,
  ) {
    super(`Charger answered ${errorCode}: ${errorDescription}`);
    this.name = 'OcppCallError';
  }
}
