import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PROTOCOL_VERSION, type Room, type RoomEvent, type ServerFrame, type ServerFrameOf } from '@veza/shared';
import type { LightMyRequestResponse } from 'fastify';
import type WebSocket from 'ws';
import { bearer, type TestApp } from './app.js';
import { TestSocket } from './ws-client.js';

/*
 * Helpers for the chat tests: REST calls with a token, sockets that say hello, and matchers for
 * the frames a test waits for.
 */

export const isType =
  <T extends ServerFrame['type']>(type: T) =>
  (frame: ServerFrame): frame is ServerFrameOf<T> =>
    frame.type === type;

export const isEvent =
  (roomId: string, seq?: number) =>
  (frame: ServerFrame): frame is RoomEvent =>
    frame.type === 'event' && frame.roomId === roomId && (seq === undefined || frame.seq === seq);

export const isEventKind =
  <K extends RoomEvent['kind']>(roomId: string, kind: K) =>
  (frame: ServerFrame): frame is Extract<RoomEvent, { kind: K }> =>
    frame.type === 'event' && frame.roomId === roomId && frame.kind === kind;

export const isSynced =
  (roomId: string) =>
  (frame: ServerFrame): frame is ServerFrameOf<'synced'> =>
    frame.type === 'synced' && frame.roomId === roomId;

/** The chat socket URL of an app listening on a port. */
export function wsUrl(t: TestApp): string {
  return `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/ws`;
}

/** An HTTP call with the caller's token; `payload` is sent as JSON. */
export function api(
  t: TestApp,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  token: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

export async function createRoom(
  t: TestApp,
  token: string,
  visibility: 'public' | 'private' = 'public',
  name = `room ${randomUUID().slice(0, 8)}`,
): Promise<Room> {
  const response = await api(t, 'POST', '/rooms', token, { name, visibility });
  if (response.statusCode !== 201) throw new Error(`room creation failed: ${response.statusCode} ${response.body}`);
  return response.json<Room>();
}

export async function joinRoom(t: TestApp, token: string, roomId: string): Promise<void> {
  const response = await api(t, 'POST', `/rooms/${roomId}/join`, token);
  if (response.statusCode !== 200) throw new Error(`join failed: ${response.statusCode} ${response.body}`);
}

export async function invite(t: TestApp, token: string, roomId: string, userId: string): Promise<void> {
  const response = await api(t, 'POST', `/rooms/${roomId}/invites`, token, { userId });
  if (response.statusCode !== 204) throw new Error(`invite failed: ${response.statusCode} ${response.body}`);
}

export async function myRooms(t: TestApp, token: string): Promise<Room[]> {
  const response = await api(t, 'GET', '/rooms', token);
  if (response.statusCode !== 200) throw new Error(`room list failed: ${response.statusCode} ${response.body}`);
  return response.json<{ rooms: Room[] }>().rooms;
}

/** Opens a socket and says hello; resolves after `welcome`. */
export async function connect(
  url: string,
  token: string,
  cursors: Record<string, number>,
  options: WebSocket.ClientOptions = {},
): Promise<TestSocket> {
  const socket = await TestSocket.open(url, options);
  socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors });
  await socket.next(isType('welcome'), 'welcome');
  return socket;
}

/** Connects and waits until every room of `cursors` is replayed (`synced`). */
export async function connectSynced(url: string, token: string, cursors: Record<string, number>): Promise<TestSocket> {
  const socket = await connect(url, token, cursors);
  for (const roomId of Object.keys(cursors)) await socket.next(isSynced(roomId), `synced ${roomId}`);
  return socket;
}

/** Every room event the socket received for a room, in arrival order. */
export function eventsOf(socket: TestSocket, roomId: string): RoomEvent[] {
  return socket.frames.filter((f): f is RoomEvent => f.type === 'event' && f.roomId === roomId);
}

/** Sends a message and waits for its ack; returns the ack. */
export async function sendMessage(
  socket: TestSocket,
  roomId: string,
  body: string,
  extra: { replyTo?: string; clientId?: string } = {},
): Promise<ServerFrameOf<'ack'>> {
  const clientId = extra.clientId ?? randomUUID();
  socket.send({
    type: 'send',
    roomId,
    clientId,
    body,
    ...(extra.replyTo ? { replyTo: extra.replyTo } : {}),
  });
  return socket.next(
    (f): f is ServerFrameOf<'ack'> => f.type === 'ack' && f.clientId === clientId,
    `ack of "${body.slice(0, 40)}"`,
  );
}

export { eventually } from './wait-for.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
