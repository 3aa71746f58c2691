import type { ProtocolAdapter } from '../server';
import { createProtocolAdapter } from '../feature-profile';
import { core } from './core';
import { firmwareManagement } from './firmware';
import { localAuthListManagement } from './local-auth-list';
import type { V16Profile, V16Services } from './profile';
import { remoteTrigger } from './remote-trigger';
import { reservation } from './reservation';
import { security } from './security';
import { smartCharging } from './smart-charging';

export type { V16Services } from './profile';

/**
 * The OCPP 1.6 JSON adapter: all six feature profiles (§3.3) and the security whitepaper, one
 * file each, every one following the FeatureProfile contract (../feature-profile.ts).
 */
const PROFILES: readonly V16Profile[] = [core, firmwareManagement, localAuthListManagement, reservation, smartCharging, remoteTrigger, security];

export function createV16Adapter(services: V16Services): ProtocolAdapter {
  return createProtocolAdapter({
    version: '1.6',
    subprotocol: 'ocpp1.6',
    profiles: PROFILES.map((profile) => ({ ...profile, handlers: profile.handlers(services) })),
    isAccepted: (chargerId) => services.chargers.registrationOf(chargerId) === 'accepted',
  });
}
