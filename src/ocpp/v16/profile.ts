import type { ChargerService } from '../../chargers';
import type { SessionService } from '../../sessions';
import type { FeatureProfile } from '../feature-profile';
import type { OcppMessages } from '../generated/v16';

/** What the OCPP 1.6 handlers work with: the version-neutral charger and session services. */
export interface V16Services {
  chargers: ChargerService;
  sessions: SessionService;
}

/** Every other file in v16/ exports one: an OCPP 1.6 feature profile (§3.3) or the security whitepaper. */
export type V16Profile = FeatureProfile<OcppMessages, V16Services>;
