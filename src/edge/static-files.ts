/**
 * The web app's built files (dist/web/, from `npm run build`), served from
 * memory: read and gzipped once at start (a few tens of KiB), so a request
 * touches neither the disk nor a path the client chose. Only the files found
 * at start exist; anything else is not found.
 *
 * Caching: files under assets/ carry a content hash in their name and never
 * change, so browsers keep them a year without asking; index.html is
 * revalidated on every visit (ETag, 304), so a new build is seen at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may talk to its own origin (GraphQL over HTTP and websockets) and, when
 * it signs users in, to their identity provider; and run only its own files.
 */
const pageSecurityHeaders = (connectTo: readonly string[]) => ({
  'content-security-policy': `default-src 'self'; connect-src ${["'self'", 'ws:', 'wss:', ...connectTo].join(' ')}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
  'referrer-policy': 'no-referrer',
});

interface StaticFile {
  body: Buffer;
  gzipped: Buffer | undefined;
  headers: Record<string, string>;
  etag: string;
}

export interface StaticFiles {
  /** Answers GET and HEAD for a known path; false when the path is not one of the files. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
}

/**
 * The files under `dir`, or undefined when there is no index.html there (the app is
 * not built). `connectTo`: other origins the page may call (the identity provider's).
 */
export function loadStaticFiles(dir: string, connectTo: readonly string[] = []): StaticFiles | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, StaticFile>();
  for (const path of listFiles(dir)) {
    const urlPath = `/${relative(dir, path).split(sep).join('/')}`;
    const body = readFileSync(path);
    const type = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    const hashed = urlPath.startsWith('/assets/');
    files.set(urlPath, {
      body,
      gzipped: compressible ? gzipSync(body, { level: 9 }) : undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      headers: {
        'content-type': type,
        'x-content-type-options': 'nosniff',
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...(type.startsWith('text/html') ? pageSecurityHeaders(connectTo) : {}),
      },
    });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);

  return {
    serve(req, res, pathname) {
      const file = files.get(pathname);
      if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      req.resume();
      const headers: Record<string, string | number> = { ...file.headers, etag: file.etag };
      // Keep the Vary the CORS policy set (Origin): caches must key on both.
      if (file.gzipped) headers.vary = [res.getHeader('vary'), 'accept-encoding'].filter(Boolean).join(', ');
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, headers).end();
        return true;
      }
      const gzip = file.gzipped !== undefined && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      const body = gzip ? file.gzipped! : file.body;
      if (gzip) headers['content-encoding'] = 'gzip';
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}
