import * as v from 'valibot';
import type { ErrorCode, WireError } from './errors.js';
import { NOTIFICATIONS, type NotificationData, type NotificationMethod } from './schemas/notifications.js';
import { REQUEST_RESULTS, type RequestData, type RequestMethod, type ResponseData } from './schemas/requests.js';

/** The protocol version every request and notification carries as `v`. */
export const PROTOCOL_VERSION = 1;

/** Default maximum size of one signalling message, in bytes (UTF-8). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
/** Default maximum nesting depth of one message. */
export const DEFAULT_MAX_DEPTH = 24;
/** Largest request id. */
export const MAX_REQUEST_ID = 2 ** 31 - 1;

/** A request `{v:1, id, method, data}` of method `M`. */
export type Request<M extends RequestMethod = RequestMethod> = {
  [K in M]: { readonly v: 1; readonly id: number; readonly method: K; readonly data: RequestData<K> };
}[M];

/** A notification `{v:1, method, data}` of method `M`. */
export type Notification<M extends NotificationMethod = NotificationMethod> = {
  [K in M]: { readonly v: 1; readonly method: K; readonly data: NotificationData<K> };
}[M];

/** A successful response to a request of method `M`. */
export interface OkResponse<M extends RequestMethod = RequestMethod> {
  readonly id: number;
  readonly ok: true;
  readonly data: ResponseData<M>;
}
/** A failed response. */
export interface ErrorResponse {
  readonly id: number;
  readonly ok: false;
  readonly error: WireError;
}
/** A response to a request. */
export type Response<M extends RequestMethod = RequestMethod> = OkResponse<M> | ErrorResponse;

/** What a client may send: requests only. */
export type ClientMessage = Request;
/** What a server may send: responses and notifications. */
export type ServerMessage = Response | Notification;

/** Builds a request. */
export function createRequest<M extends RequestMethod>(id: number, method: M, data: RequestData<M>): Request<M> {
  return { v: PROTOCOL_VERSION, id, method, data } as Request<M>;
}
/** Builds a notification. */
export function createNotification<M extends NotificationMethod>(method: M, data: NotificationData<M>): Notification<M> {
  return { v: PROTOCOL_VERSION, method, data } as Notification<M>;
}
/** Builds a successful response. */
export function okResponse<M extends RequestMethod>(id: number, data: ResponseData<M>): OkResponse<M> {
  return { id, ok: true, data };
}
/** Builds a failed response. `message` must never carry tokens, keys or what a client typed. */
export function errorResponse(id: number, code: ErrorCode, message: string): ErrorResponse {
  return { id, ok: false, error: { code, message } };
}

/** Whether `method` names a request. */
export function isRequestMethod(method: unknown): method is RequestMethod {
  return typeof method === 'string' && Object.hasOwn(REQUEST_RESULTS, method);
}
/** Whether `method` names a notification. */
export function isNotificationMethod(method: unknown): method is NotificationMethod {
  return typeof method === 'string' && Object.hasOwn(NOTIFICATIONS, method);
}

/** Envelope schemas; `data` is validated per method afterwards. */
export const RequestEnvelope = v.strictObject({
  v: v.number(),
  id: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_REQUEST_ID)),
  method: v.pipe(v.string(), v.maxLength(64)),
  data: v.unknown(),
});
export const NotificationEnvelope = v.strictObject({
  v: v.number(),
  method: v.pipe(v.string(), v.maxLength(64)),
  data: v.unknown(),
});
export const ResponseEnvelope = v.union([
  v.strictObject({
    id: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_REQUEST_ID)),
    ok: v.literal(true),
    data: v.unknown(),
  }),
  v.strictObject({
    id: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_REQUEST_ID)),
    ok: v.literal(false),
    error: v.strictObject({ code: v.pipe(v.string(), v.maxLength(64)), message: v.pipe(v.string(), v.maxLength(1024)) }),
  }),
]);
