/**
 * The baseline: the simplest broadcast server on the bare `ws` package. Every text message any
 * client sends is sent, as the same string, to every connected client with ws.send, which frames
 * and copies it once per socket. No auth, no persistence, no per-socket queue bound: the ceiling
 * of the WebSocket stack on this machine, the "naive bare ws broadcast server" of DESIGN.md.
 *
 * Started by the benchmarks as its own process; listens on 127.0.0.1 on a free port and prints
 * `listening <port>` on stdout. Stops on SIGTERM.
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });

wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const text = data.toString();
    for (const client of wss.clients) client.send(text);
  });
});

wss.on('listening', () => process.stdout.write(`listening ${wss.address().port}\n`));

process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
