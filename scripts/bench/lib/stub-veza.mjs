/**
 * A stand-in for the Veza WebSocket endpoint, to check the benchmark harness without the real
 * server (VEZA_BENCH_STUB=1): hello → welcome and synced per cursor, send → ack and one event to
 * every socket of the room (serialised once). No auth, no database. Prints `listening <port>`.
 */
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/ws' });
const rooms = new Map();

wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  let userId;
  const joined = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'hello') {
      userId = JSON.parse(Buffer.from(frame.token.split('.')[1], 'base64url').toString()).sub;
      const seqs = Object.entries(frame.cursors);
      ws.send(JSON.stringify({ type: 'welcome', protocol: 1, userId, rooms: [], expiresAt: null, heartbeatMs: 30000 }));
      for (const [roomId, seq] of seqs) {
        if (!rooms.has(roomId)) rooms.set(roomId, { seq, sockets: new Set() });
        rooms.get(roomId).sockets.add(ws);
        joined.push(roomId);
        ws.send(JSON.stringify({ type: 'synced', roomId, seq: rooms.get(roomId).seq }));
      }
    } else if (frame.type === 'send') {
      const room = rooms.get(frame.roomId);
      const seq = ++room.seq;
      const at = new Date().toISOString();
      const id = randomUUID();
      ws.send(JSON.stringify({ type: 'ack', clientId: frame.clientId, messageId: id, roomId: frame.roomId, seq }));
      const event = JSON.stringify({
        type: 'event',
        roomId: frame.roomId,
        seq,
        actorId: userId,
        at,
        kind: 'message.created',
        data: {
          message: {
            id,
            roomId: frame.roomId,
            seq,
            authorId: userId,
            authorUsername: 'stub',
            clientId: frame.clientId,
            body: frame.body,
            replyTo: null,
            mentions: [],
            createdAt: at,
            editedAt: null,
            deletedAt: null,
            reactions: [],
          },
        },
      });
      for (const socket of room.sockets) socket.send(event);
    }
  });
  ws.on('close', () => {
    for (const roomId of joined) rooms.get(roomId)?.sockets.delete(ws);
  });
});

wss.on('listening', () => process.stdout.write(`listening ${wss.address().port}\n`));
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
