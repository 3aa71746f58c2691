/**
 * The one authorization decision of the appliance (OCPP 1.6 IdTagInfo.status, 2.0.1
 * IdTokenInfo.status). Every Authorize, StartTransaction and remote start goes through an
 * Authorizer; the adapters translate the status into their version's vocabulary.
 */
export type AuthorizationStatus =
  | 'Accepted'
  | 'Blocked'
  | 'Expired'
  | 'Invalid'
  | 'ConcurrentTx'
  | 'NoCredit'
  | 'NotAtThisLocation'
  | 'Unknown';

export interface AuthorizationRequest {
  idTag: string;
  chargerId: string;
  connectorId?: number | undefined;
  /** `start` when a transaction is starting (StartTransaction / TransactionEvent Started). */
  purpose: 'authorize' | 'start';
}

export interface AuthorizationDecision {
  status: AuthorizationStatus;
  /** Normalised UID of the card the idTag belongs to, when it is a registered card. */
  cardUid: string | null;
  userId: number | null;
  expiryDate?: string | undefined;
  parentIdTag?: string | undefined;
  /** Why, in words, for the logs and the staff UI. */
  reason: string;
}

export interface Authorizer {
  authorize(request: AuthorizationRequest): AuthorizationDecision;
}

/** Counts a tag's active sessions; supplied by the sessions domain. */
export type ActiveSessionCounter = (idTag: string) => number;
