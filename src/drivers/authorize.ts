import type { Ledger } from '../ledger';
import type { SettingsService } from '../settings';
import type { CardRow, DriverService } from './service';
import { isValidUid, normaliseUid } from './uid';

/**
 * The one authorization decision of the appliance (OCPP 1.6 IdTagInfo.status, 2.0.1
 * IdTokenInfo.status). Every Authorize, StartTransaction and remote start goes through the
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

interface AuthorizationRequest {
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
  /** The QR start hold whose idTag this was; the session that starts with it takes the hold. */
  startHoldTransferId?: number | undefined;
  /** Why, in words, for the logs and the staff UI. */
  reason: string;
}

/** A QR start's hold, as its idTag presents it (qrstart/ keeps them). */
export interface StartTagHold {
  userId: number;
  chargerId: string;
  connectorId: number;
  holdTransferId: number;
  /** What the hold reserved: the driver may spend it at this connector. */
  amountMinor: number;
  /** Open, and no session took it yet. */
  usable: boolean;
}

interface AuthorizerOptions {
  drivers: DriverService;
  ledger: Ledger;
  settings: SettingsService;
  /** True when some tariff prices sessions at this charger (an override or the default). */
  hasTariff: (chargerId: string) => boolean;
  /** Active sessions started with a card, whatever spelling of its UID the charger used. */
  activeSessionsOfCard: (cardUid: string) => number;
  /** The QR start hold an idTag that is no card UID stands for, if any. */
  startHoldOfTag: (idTag: string) => StartTagHold | undefined;
  /** Called (outside any answer path that must be fast) when a charger presents an unregistered tag. */
  onUnknownTag?: (uid: string, chargerId: string) => void;
  now?: () => Date;
}

/**
 * The authorization decision: card status, expiry, charger list and concurrency, then the
 * balance for prepaid cards and drivers (CONTRACT "Money rules"). A charger without any tariff
 * never makes charging free, so prepaid cards are refused there.
 */
export class Authorizer {
  constructor(private readonly options: AuthorizerOptions) {}

  authorize(request: AuthorizationRequest): AuthorizationDecision {
    const uid = normaliseUid(request.idTag);
    if (!isValidUid(uid)) {
      const hold = this.options.startHoldOfTag(request.idTag);
      return hold ? this.authorizeStartHold(hold, request) : refuse('Invalid', null, null, 'neither a card UID nor a QR start');
    }
    const card = this.options.drivers.cardByUid(uid);
    if (!card) {
      this.options.onUnknownTag?.(uid, request.chargerId);
      return refuse('Invalid', null, null, 'no card has this UID');
    }
    return this.authorizeCard(card, request);
  }

  private authorizeCard(card: CardRow, request: AuthorizationRequest): AuthorizationDecision {
    const decide = (status: AuthorizationDecision['status'], reason: string): AuthorizationDecision => ({
      status,
      cardUid: card.uid,
      userId: card.userId,
      expiryDate: card.expiresAt ?? undefined,
      reason,
    });
    if (card.status !== 'active') return decide('Blocked', `the card is ${card.status}`);
    if (card.expiresAt !== null && Date.parse(card.expiresAt) <= this.now().getTime()) return decide('Expired', 'the card expired');
    const allowed = card.allowedChargersJson ? (JSON.parse(card.allowedChargersJson) as string[]) : null;
    if (allowed && !allowed.includes(request.chargerId)) return decide('NotAtThisLocation', 'the card may not use this charger');
    // OCPP 1.6 §7.14: ConcurrentTx is only relevant for a start; an Authorize while charging is
    // often the driver presenting the card to stop, which must not be refused.
    if (request.purpose === 'start' && this.options.activeSessionsOfCard(card.uid) >= card.maxConcurrentSessions) {
      return decide('ConcurrentTx', `the card already has ${card.maxConcurrentSessions} session(s) running`);
    }
    if (card.kind === 'personal') return decide('Accepted', 'personal card');
    if (!this.options.hasTariff(request.chargerId)) return decide('Blocked', 'no tariff prices this charger, so prepaid cards cannot pay here');
    const credit = this.creditProblem(card.accountId!, 0);
    return credit ? decide('NoCredit', credit) : decide('Accepted', 'prepaid card with enough balance');
  }

  /**
   * A QR start's idTag (CONTRACT QR section): good only at the charger and connector its hold was
   * made for, while the hold is open and no session took it. Anything else is Invalid and names
   * no driver, so a made-up or replayed tag can bill nobody.
   */
  private authorizeStartHold(hold: StartTagHold, request: AuthorizationRequest): AuthorizationDecision {
    if (hold.chargerId !== request.chargerId) return refuse('Invalid', null, null, 'a QR start of another charger');
    // 1.6 Authorize names no connector: the charger is checked, and the connector at the start.
    if (request.connectorId !== undefined && request.connectorId !== hold.connectorId) return refuse('Invalid', null, null, 'a QR start of another connector');
    if (!hold.usable) return refuse('Invalid', null, null, 'a QR start that is used up or released');
    const user = this.options.drivers.user(hold.userId);
    if (!user) return refuse('Invalid', null, null, 'no driver has this QR start');
    const decide = (status: AuthorizationDecision['status'], reason: string): AuthorizationDecision => ({
      status,
      cardUid: null,
      userId: user.id,
      startHoldTransferId: hold.holdTransferId,
      reason,
    });
    if (!this.options.hasTariff(request.chargerId)) return decide('Blocked', 'no tariff prices this charger');
    const credit = this.creditProblem(user.accountId, hold.amountMinor);
    return credit ? decide('NoCredit', credit) : decide('Accepted', 'QR start with its hold');
  }

  /** Why the account cannot pay (CONTRACT: available at or below `minimumBalance`, or a debt), or undefined. */
  private creditProblem(accountId: number, heldForThisStartMinor: number): string | undefined {
    const { balanceMinor, availableMinor } = this.options.ledger.balance(accountId);
    if (balanceMinor < 0) return `the balance owes ${-balanceMinor} (a debt blocks new sessions until paid)`;
    const spendableMinor = availableMinor + heldForThisStartMinor;
    const minimumMinor = this.options.settings.get().minimumBalanceMinor;
    if (spendableMinor <= minimumMinor) return `available balance ${spendableMinor} is at or below the minimum ${minimumMinor}`;
    return undefined;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

function refuse(status: AuthorizationDecision['status'], cardUid: string | null, userId: number | null, reason: string): AuthorizationDecision {
  return { status, cardUid, userId, reason };
}
