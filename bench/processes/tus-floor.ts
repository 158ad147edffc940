/**
 * The floors of receiving a resumable upload: what any server in the gateway's place must do to
 * take a tus upload onto disk, and nothing more.
 *  - FLOOR=pipeline: a hand-made tus subset on plain node:http: POST makes a file, PATCH appends
 *    the body with `pipeline(req, file)` and syncs it (the gateway's durability: fsync before the
 *    new offset is answered), HEAD answers the offset.
 *  - FLOOR=tus-server: a bare @tus/server with its FileStore on plain node:http, no hooks, no
 *    sync: what the library costs by itself.
 * Prints `TUS_FLOOR <url>` once it listens.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const directory = await mkdtemp(join(tmpdir(), 'tus-floor-'));
const PATH = '/files';

function pipelineFloor() {
  const lengths = new Map<string, number>();
  const headers = { 'tus-resumable': '1.0.0', 'access-control-expose-headers': 'upload-offset, location' };
  return async (req: IncomingMessage, res: ServerResponse) => {
    const id = req.url!.slice(PATH.length + 1);
    if (req.method === 'POST') {
      const made = randomBytes(12).toString('hex');
      lengths.set(made, Number(req.headers['upload-length']));
      await (await open(join(directory, made), 'w')).close();
      res.writeHead(201, { ...headers, location: `${PATH}/${made}` }).end();
      return;
    }
    const file = join(directory, id);
    if (req.method === 'HEAD') {
      res
        .writeHead(200, {
          ...headers,
          'upload-offset': String((await stat(file)).size),
          'upload-length': String(lengths.get(id)),
        })
        .end();
      return;
    }
    await pipeline(req, createWriteStream(file, { flags: 'a' }));
    const handle = await open(file, 'r+');
    await handle.sync();
    await handle.close();
    res.writeHead(204, { ...headers, 'upload-offset': String((await stat(file)).size) }).end();
  };
}

function tusServerFloor() {
  const tus = new Server({ path: PATH, datastore: new FileStore({ directory }) });
  return (req: IncomingMessage, res: ServerResponse) => tus.handle(req, res);
}

const handle = process.env.FLOOR === 'tus-server' ? tusServerFloor() : pipelineFloor();
const server = createServer((req, res) => {
  handle(req, res).catch(() => res.writeHead(500).end());
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`TUS_FLOOR http://127.0.0.1:${port}${PATH}\n`);
});
process.on('SIGTERM', () => process.exit(0));
