import * as v from 'valibot';
import { CredentialsLine, DisplayName, Id, Role as RoleSchema } from './schemas/common.js';

/** The participant roles. A host runs the session; the others are guests of different kinds. */
export const ROLES = ['host', 'client', 'co-client', 'guardian', 'interpreter', 'observer'] as const;
/** A participant's role. */
export type Role = (typeof ROLES)[number];

/** The JWT `aud` every join token carries. */
export const JOIN_TOKEN_AUDIENCE = 'alcove:join';
/** Signing algorithms a server accepts for join tokens (pinned; `none` never). */
export const JOIN_TOKEN_ALGORITHMS = ['EdDSA', 'HS256'] as const;
/** Longest lifetime (`exp - iat`) a join token may have, in seconds. */
export const MAX_JOIN_TOKEN_TTL_S = 24 * 60 * 60;
/** Clock skew tolerated when checking `exp`/`nbf`/`iat`, in seconds. */
export const TOKEN_CLOCK_SKEW_S = 60;
/** Longest `cred` claim (a host's credentials line), in UTF-16 code units, as for `name`'s 80. */
export const MAX_CREDENTIALS_LENGTH = 120;

/** The claims of a join token (a JWT). All are required except `nbf`, `iss` and `jti`. */
export const JoinTokenClaimsSchema = v.object({
  /** Session id. */
  sid: Id,
  /** Participant id (stable for this participant in this session). */
  pid: Id,
  role: RoleSchema,
  /** Display name shown to others. */
  name: DisplayName,
  /** Hosts only, optional: a credentials line shown to waiting guests (e.g. `Licensed clinical psychologist`). */
  cred: v.optional(CredentialsLine),
  aud: v.union([
    v.literal(JOIN_TOKEN_AUDIENCE),
    v.pipe(
      v.array(v.string()),
      v.check((a) => a.includes(JOIN_TOKEN_AUDIENCE), 'audience'),
    ),
  ]),
  iat: v.pipe(v.number(), v.integer()),
  exp: v.pipe(v.number(), v.integer()),
  nbf: v.optional(v.pipe(v.number(), v.integer())),
  iss: v.optional(v.pipe(v.string(), v.maxLength(256))),
  jti: v.optional(v.pipe(v.string(), v.maxLength(128))),
});

/** The claims of a join token. */
export type JoinTokenClaims = v.InferOutput<typeof JoinTokenClaimsSchema>;
