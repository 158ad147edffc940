/**
 * The floor for fan-out on this machine: a bare `ws` server (no GraphQL, no
 * graphql-ws) that, on POST /fire, writes one ~150-byte frame to every open
 * socket. Its latency is what any Node websocket fan-out pays for the socket
 * writes alone.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((req, res) => {
  if (req.url !== '/fire') return void res.writeHead(404).end();
  const frame = JSON.stringify({
    id: '1',
    type: 'next',
    payload: {
      data: {
        videoStatus: {
          videoNo: 'mavi_video_554046065381212160',
          status: 'PARSE',
          receivedAt: new Date().toISOString(),
        },
      },
    },
  });
  for (const client of wss.clients) client.send(frame);
  res.end('ok');
});
const wss = new WebSocketServer({ server });
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`BARE_WS http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
