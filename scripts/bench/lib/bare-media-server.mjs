/**
 * The floor of what Node can do for a segment: plain node:http answering every GET with one file
 * read into memory at start, with the headers Veza sends. No framework, no signature check, no
 * logging. Prints `listening <port>` on stdout.
 *
 *   node scripts/bench/lib/bare-media-server.mjs <file>
 */
import fs from 'node:fs';
import http from 'node:http';

const data = fs.readFileSync(process.argv[2]);
const headers = {
  'content-type': 'video/iso.segment',
  'content-length': data.length,
  'cache-control': 'public, max-age=86400, immutable',
  'accept-ranges': 'bytes',
  etag: '"bench"',
};
const server = http.createServer((req, res) => {
  res.writeHead(200, headers);
  res.end(data);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
