/**
 * The upload floor: a bare TCP pipe from client socket to upstream socket (the
 * simulator), no HTTP parsing, no multipart, nothing but Node moving bytes.
 * What the gateway spends per GiB beyond this is the price of what it does.
 */
import { connect, createServer } from 'node:net';

const upstream = new URL(process.env.UPSTREAM_URL!);
const server = createServer((client) => {
  const target = connect(Number(upstream.port), upstream.hostname);
  client.pipe(target);
  target.pipe(client);
  const close = () => {
    client.destroy();
    target.destroy();
  };
  client.on('error', close);
  target.on('error', close);
  client.on('close', close);
  target.on('close', close);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`PIPE_PROXY http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
