export { ApiTokenService, TOKEN_ROLES } from './tokens';
export type { TokenPrincipal, TokenRole } from './tokens';
