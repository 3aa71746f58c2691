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

/**
 * The authorizer a fresh core uses before cards and balances exist: any idTag may charge, but a
 * tag never holds more than one session at a time (OCPP ConcurrentTx). The drivers and money
 * domain replaces it with the card, balance and tariff decision (SessionService.setAuthorizer).
 */
export class SingleSessionAuthorizer implements Authorizer {
  constructor(private readonly activeSessions: ActiveSessionCounter) {}

  authorize(request: AuthorizationRequest): AuthorizationDecision {
    if (request.idTag.trim() === '') return { status: 'Invalid', cardUid: null, userId: null, reason: 'empty idTag' };
    // The new session is not stored yet when a start is decided, so both purposes compare with 1.
    if (this.activeSessions(request.idTag) >= 1) {
      return { status: 'ConcurrentTx', cardUid: null, userId: null, reason: 'the tag already has an active session' };
    }
    return { status: 'Accepted', cardUid: null, userId: null, reason: 'open site: every idTag may charge' };
  }
}
