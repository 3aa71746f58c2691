import type { ChargerService } from '../../chargers';
import type { SessionService } from '../../sessions';
import type { FeatureProfile } from '../feature-profile';
import type { OcppMessages } from '../generated/v16';

/** What the OCPP 1.6 handlers work with: the version-neutral charger and session services. */
export interface V16Services {
  chargers: ChargerService;
  sessions: SessionService;
}

/** What each profile file in v16/ (core.ts, firmware.ts, ...) exports: an OCPP 1.6 feature profile (§3.3) or the security whitepaper. */
export type V16Profile = FeatureProfile<OcppMessages, V16Services>;
