/**
 * A child process for the restart test: opens the cache file, queues messages while the server
 * is down, says "queued" and waits to be killed (SIGKILL: no clean shutdown of any kind).
 * Arguments: one JSON object { file, serverUrl, me, roomId, bodies }.
 */
import { WebSocket } from 'ws';
import { ApiClient, type TokenSource } from '../../api/api-client.js';
import { openCacheDatabase } from '../../cache/database.js';
import { SyncConnection } from '../../sync/sync-connection.js';
import { ChatService } from '../chat-service.js';

interface ChildArgs {
  file: string;
  serverUrl: string;
  me: { id: string; username: string };
  roomId: string;
  bodies: string[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
// The server is down: no token is ever used, the socket only fails to connect.
const tokens: TokenSource = {
  accessToken: async () => 'unused',
  renewAccessToken: async () => 'unused',
};
const db = openCacheDatabase(args.file);
const api = new ApiClient(args.serverUrl, tokens);
const log = { warn: () => undefined, error: () => undefined };
const connection = new SyncConnection({
  url: api.webSocketUrl(),
  tokens,
  meId: args.me.id,
  backoff: { minDelayMs: 50, maxDelayMs: 100 },
  factory: (url) => new WebSocket(url),
  log,
});
const chat = new ChatService({ db, api, connection, me: args.me, emit: () => undefined, log });
connection.register(chat.sync);
chat.start();
connection.start();
const clientIds: string[] = [];
for (const body of args.bodies) clientIds.push((await chat.sendMessage({ roomId: args.roomId, body })).clientId);
process.stdout.write(`queued ${JSON.stringify(clientIds)}\n`);
// Keep running (and retrying the dead server) until killed.
setInterval(() => undefined, 60_000);
