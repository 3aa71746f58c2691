import { assert } from '../shared';
import type { OcppConnection } from './connection';
import { OcppError, type OcppVersion } from './errors';
import type { ProtocolAdapter } from './server';

/** One OCPP version's messages as generated/ declares them (`OcppMessages`: requests and responses by action). */
export interface MessageSet {
  requests: object;
  responses: object;
}

export type ActionOf<Messages extends MessageSet> = keyof Messages['requests'] & keyof Messages['responses'] & string;

/**
 * A handler per action: the request as the official schema accepted it comes in, the
 * CALLRESULT payload goes out (a thrown OcppError is answered as CALLERROR instead).
 */
export type HandlerMap<Messages extends MessageSet> = {
  [Action in ActionOf<Messages>]: (connection: OcppConnection, request: Messages['requests'][Action]) => Promise<Messages['responses'][Action]>;
};

/**
 * The contract every file in v16/ and v201/ follows (a plug-in folder, like Uptime Kuma's monitor
 * types): one OCPP 1.6 feature profile or one 2.0.1 functional block, with the CALLs a charger
 * sends in it and those the CSMS sends. The version's index.ts lists its profiles; nothing else
 * needs to change to add one.
 */
export interface FeatureProfile<Messages extends MessageSet, Services> {
  /** Its name in the specification: a 1.6 feature profile (§3.3) or a 2.0.1 functional block (part 2). */
  name: string;
  /** Handlers for what a charger sends in this profile. */
  handlers(services: Services): Partial<HandlerMap<Messages>>;
  /** Which of those a charger may send before the CSMS accepted it (BootNotification answered Pending). */
  allowedBeforeAcceptance: readonly ActionOf<Messages>[];
  /** What the CSMS sends in this profile (the commands API refuses other actions). */
  outbound: readonly ActionOf<Messages>[];
}

/** A handler with its request type erased, once the transport has validated the payload for its action. */
type ValidatedHandler = (connection: OcppConnection, request: never) => Promise<object>;

/** A profile with its handlers made (`FeatureProfile.handlers(services)`), for `createProtocolAdapter`. */
export interface BuiltProfile {
  name: string;
  handlers: Readonly<Record<string, ValidatedHandler | undefined>>;
  allowedBeforeAcceptance: readonly string[];
  outbound: readonly string[];
}

export interface ProtocolAdapterOptions {
  version: OcppVersion;
  subprotocol: string;
  profiles: readonly BuiltProfile[];
  /** Whether staff (or the site's policy) accepted the charger. */
  isAccepted(chargerId: string): boolean;
}

/**
 * One version's adapter from its profiles: every action handled by exactly one profile, and a
 * charger that is not accepted yet answered SecurityError for anything its profiles do not allow
 * before acceptance (OCPP 1.6 §4.2, 2.0.1 B02/B03).
 */
export function createProtocolAdapter(options: ProtocolAdapterOptions): ProtocolAdapter {
  const handlers = new Map<string, ValidatedHandler>();
  const allowedBeforeAcceptance = new Set<string>();
  const outboundActions = new Set<string>();
  for (const profile of options.profiles) {
    for (const [action, handler] of Object.entries(profile.handlers)) {
      if (!handler) continue;
      assert(!handlers.has(action), `OCPP ${options.version}: ${action} is handled by two profiles`);
      handlers.set(action, handler);
    }
    for (const action of profile.allowedBeforeAcceptance) {
      assert(profile.handlers[action] !== undefined, `OCPP ${options.version} ${profile.name}: ${action} is allowed before acceptance but not handled`);
      allowedBeforeAcceptance.add(action);
    }
    for (const action of profile.outbound) outboundActions.add(action);
  }
  const notAccepted = `This ${options.version === '1.6' ? 'charge point' : 'charging station'} is not accepted by the CSMS yet (BootNotification was answered Pending)`;
  return {
    version: options.version,
    subprotocol: options.subprotocol,
    inboundActions: new Set(handlers.keys()),
    outboundActions,
    async dispatch(connection, action, payload) {
      if (!allowedBeforeAcceptance.has(action) && !options.isAccepted(connection.chargerId)) throw new OcppError('SecurityError', notAccepted);
      // The transport validated the payload against this action's official schema (connection.ts)
      // and dispatches only actions in inboundActions: it is the action's request type.
      return handlers.get(action)!(connection, payload as never);
    },
  };
}
