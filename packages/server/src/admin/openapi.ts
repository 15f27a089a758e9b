/**
 * The OpenAPI 3.1 document of the admin API, generated from {@link ADMIN_ROUTES} and their valibot
 * schemas (JSON Schema 2020-12, which OpenAPI 3.1 uses). Served at `/v1/openapi.json` and committed as
 * `docs/openapi.json`; a test fails when the committed file and this generator disagree.
 * @packageDocumentation
 */
import type * as v from 'valibot';
import { WEBHOOK_ATTEMPT_HEADER, WEBHOOK_EVENT_TYPES, WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '../webhooks/types.js';
import { ADMIN_ROUTES, COMMON_ERRORS, type AdminRoute } from './routes.js';
import * as S from './schemas.js';

/** A JSON Schema object. */
export type JsonSchema = { [key: string]: unknown };

interface Node {
  readonly kind: 'schema' | 'validation' | 'metadata' | 'transformation';
  readonly type: string;
  readonly expects?: string;
  readonly requirement?: unknown;
  readonly description?: string;
  readonly pipe?: readonly Node[];
  readonly entries?: Record<string, Node>;
  readonly item?: Node;
  readonly items?: readonly Node[];
  readonly options?: readonly unknown[];
  readonly wrapped?: Node;
  readonly literal?: unknown;
  readonly key?: Node;
  readonly value?: Node;
  readonly message?: unknown;
}

/** Schemas emitted once under `components/schemas` and referenced by name. */
const NAMED: ReadonlyArray<readonly [string, v.GenericSchema]> = [
  ['SessionPolicyInput', S.SessionPolicyInput],
  ['SessionPolicy', S.SessionPolicy],
  ['ChecklistInput', S.ChecklistInput],
  ['Session', S.SessionView],
  ['ParticipantAttendance', S.ParticipantAttendance],
  ['Participant', S.ParticipantView],
  ['AuditEvent', S.AuditEventView],
  ['WebhookDelivery', S.WebhookDeliveryView],
  ['Error', S.ErrorResponse],
];

/**
 * Converts a valibot schema to JSON Schema. Supports what the admin API uses: strings (length,
 * pattern), numbers (integer, bounds), booleans, literals, picklists, (strict) objects, optional,
 * arrays, tuples, records and unions; `check` refinements are described, not encoded.
 * @throws `TypeError` for a schema kind it does not know (so the document never silently lies).
 */
export function toJsonSchema(schema: v.GenericSchema, names: ReadonlyMap<unknown, string> = new Map(), root = true): JsonSchema {
  const node = schema as unknown as Node;
  const name = names.get(schema);
  if (name && !root) return { $ref: `#/components/schemas/${name}` };
  if (!node.pipe) return base(node, names);
  // A pipe: its first item is the schema (itself possibly a pipe or a named schema), then actions.
  const out: JsonSchema = { ...toJsonSchema(node.pipe[0] as unknown as v.GenericSchema, names, false) };
  for (const action of node.pipe.slice(1)) applyAction(out, action);
  return out;
}

function base(node: Node, names: ReadonlyMap<unknown, string>): JsonSchema {
  const sub = (n: Node | undefined): JsonSchema => toJsonSchema(n as unknown as v.GenericSchema, names, false);
  switch (node.type) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'literal':
      return { const: node.literal };
    case 'picklist':
      return { enum: [...(node.options ?? [])] };
    case 'object':
    case 'strict_object':
    case 'loose_object': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [k, child] of Object.entries(node.entries ?? {})) {
        if (child.type === 'optional' || child.type === 'exact_optional') properties[k] = sub(child.wrapped);
        else {
          properties[k] = sub(child);
          required.push(k);
        }
      }
      return {
        type: 'object',
        properties,
        ...(required.length > 0 ? { required } : {}),
        ...(node.type === 'loose_object' ? {} : { additionalProperties: false }),
      };
    }
    case 'optional':
      return sub(node.wrapped);
    case 'array':
      return { type: 'array', items: sub(node.item) };
    case 'tuple':
    case 'strict_tuple': {
      const items = (node.items ?? []).map(sub);
      return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    }
    case 'record':
      return { type: 'object', propertyNames: sub(node.key), additionalProperties: sub(node.value) };
    case 'union':
      return { anyOf: (node.options as Node[]).map(sub) };
    default:
      throw new TypeError(`toJsonSchema: unsupported schema type ${node.type}`);
  }
}

function applyAction(out: JsonSchema, a: Node): void {
  const array = out.type === 'array';
  switch (a.type) {
    case 'description':
      out.description = a.description;
      return;
    case 'min_length':
      out[array ? 'minItems' : 'minLength'] = a.requirement;
      return;
    case 'max_length':
      out[array ? 'maxItems' : 'maxLength'] = a.requirement;
      return;
    case 'regex':
      out.pattern = (a.requirement as RegExp).source;
      return;
    case 'integer':
      out.type = 'integer';
      return;
    case 'min_value':
      out.minimum = a.requirement;
      return;
    case 'max_value':
      out.maximum = a.requirement;
      return;
    case 'check':
      if (typeof a.message === 'string') out.description = out.description ? `${out.description} ${a.message}` : a.message;
      return;
    default:
      throw new TypeError(`toJsonSchema: unsupported action ${a.type}`);
  }
}

const REASON: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  501: 'Not configured',
};

/** The error codes a route can answer (its own and, when authenticated, the common ones). */
export function errorsOf(route: AdminRoute): readonly S.AdminErrorCodeName[] {
  return [...new Set([...(route.auth ? COMMON_ERRORS : []), ...route.errors])];
}

/** The OpenAPI 3.1 `webhooks`: one POST per event type, its body and headers. */
function webhooksOf(names: ReadonlyMap<unknown, string>): Record<string, unknown> {
  const header = (name: string, description: string, schema: JsonSchema) => ({ name, in: 'header', required: true, description, schema });
  const parameters = [
    header(WEBHOOK_ID_HEADER, 'The event id, the same on every attempt (idempotency key).', {
      type: 'string',
      pattern: '^evt_[A-Za-z0-9_-]{22}$',
    }),
    header(WEBHOOK_SIGNATURE_HEADER, '`t=<unix seconds>,v1=<hex HMAC-SHA-256(secret, t + "." + raw body)>`, one `v1=` per secret.', {
      type: 'string',
    }),
    header(WEBHOOK_ATTEMPT_HEADER, 'Attempt number, from 1.', { type: 'string', pattern: '^[1-9][0-9]*$' }),
  ];
  return Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook.${type}`,
          summary: `The \`${type}\` event`,
          parameters,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    id: { type: 'string', pattern: '^evt_[A-Za-z0-9_-]{22}$' },
                    type: { const: type },
                    createdAt: { type: 'string', format: 'date-time' },
                    data: toJsonSchema(S.WEBHOOK_DATA_SCHEMAS[type], names, true),
                  },
                  required: ['id', 'type', 'createdAt', 'data'],
                  additionalProperties: false,
                },
              },
            },
          },
          responses: {
            '2XX': {
              description: 'Delivered. 408, 429, 5xx, timeouts and network errors are retried (8 attempts in all); other answers are not.',
            },
          },
        },
      },
    ]),
  );
}

/**
 * Builds the OpenAPI 3.1 document from the route table.
 * @param serverUrl Written into `servers` (default a relative `/`).
 */
export function buildOpenApi(serverUrl = '/'): JsonSchema {
  const names = new Map<unknown, string>(NAMED.map(([n, s]) => [s, n]));
  const components: Record<string, JsonSchema> = {};
  for (const [n, s] of NAMED) components[n] = toJsonSchema(s, names, true);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ADMIN_ROUTES) {
    const parameters: unknown[] = [];
    const params = route.params as unknown as Node | undefined;
    for (const [k, child] of Object.entries(params?.entries ?? {})) {
      parameters.push({ name: k, in: 'path', required: true, schema: toJsonSchema(child as unknown as v.GenericSchema, names, false) });
    }
    const query = route.query as unknown as Node | undefined;
    for (const [k, child] of Object.entries(query?.entries ?? {})) {
      const optional = child.type === 'optional';
      const s = toJsonSchema((optional ? child.wrapped : child) as unknown as v.GenericSchema, names, false);
      const { description, ...schema } = s;
      parameters.push({ name: k, in: 'query', required: !optional, ...(description ? { description } : {}), schema });
    }
    if (route.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Any 1–255 printable ASCII characters; a retry with the same key and body returns the first answer (kept 24 hours).',
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      });
    }
    const responses: Record<string, unknown> = {
      [String(route.success.status)]: {
        description: route.success.description,
        content: {
          'application/json': {
            schema: route.operationId === 'openapi' ? { type: 'object' } : toJsonSchema(route.success.schema, names, false),
          },
        },
      },
    };
    const byStatus = new Map<number, S.AdminErrorCodeName[]>();
    for (const code of errorsOf(route)) {
      const status = S.ADMIN_ERRORS[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = {
        description: `${REASON[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } } } : {}),
      };
    }
    const op: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(route.auth ? {} : { security: [] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: false,
              content: { 'application/json': { schema: toJsonSchema(route.body, names, false) } },
            },
          }
        : {}),
      responses,
      'x-error-codes': errorsOf(route),
    };
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Alcove admin API',
      version: '1',
      description:
        'The back-end API of the Alcove reference server: sessions, participants, join tokens, attendance, audit and webhook deliveries. Authenticate with `Authorization: Bearer <API key>`. Every error is `{"error":{"code","message"}}` with a stable `code`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'sessions' },
      { name: 'participants' },
      { name: 'tokens' },
      { name: 'records', description: 'Attendance and audit.' },
      { name: 'webhooks' },
      { name: 'meta' },
    ],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An admin API key (at least 16 characters).' } },
      schemas: components,
    },
    webhooks: webhooksOf(names),
    'x-error-codes': Object.fromEntries(S.ADMIN_ERROR_CODES.map((c) => [c, S.ADMIN_ERRORS[c]])),
  };
}
