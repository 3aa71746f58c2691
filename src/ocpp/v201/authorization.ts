import { idTagOf, idTokenInfo201 } from './mapping';
import type { V201Profile } from './profile';

/**
 * OCPP 2.0.1 functional block C, Authorization: the station asks about an idToken (C01 and the
 * other ways a driver identifies); staff may clear its authorization cache (C11).
 */
export const authorization: V201Profile = {
  name: 'C Authorization',
  allowedBeforeAcceptance: [],
  outbound: ['ClearCache'],
  handlers: ({ sessions }) => ({
    async Authorize(connection, request) {
      return { idTokenInfo: idTokenInfo201(sessions.authorize(connection.chargerId, idTagOf(request.idToken))) };
    },
  }),
};
