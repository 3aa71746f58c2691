export { ApiTokenService, TOKEN_ROLES } from './tokens';
export type { TokenRole } from './tokens';
