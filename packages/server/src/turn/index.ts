/** TURN REST API credentials for the relays (coturn `use-auth-secret`). */
export {
  issueTurnCredentials,
  TURN_TTL_DEFAULT_S,
  TURN_TTL_MAX_S,
  TURN_TTL_MIN_S,
  turnCredential,
  validateTurnOptions,
  verifyTurnCredential,
} from './credentials.js';
export type { TurnCredentials, TurnOptions } from './credentials.js';
