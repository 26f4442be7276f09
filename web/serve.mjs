#!/usr/bin/env node
// A small static file server for the demo (and the browser tests): serves
// web/dist/ on 127.0.0.1, nothing else.
//
//   node web/serve.mjs [--port 8080] [--host 127.0.0.1] [--root web/dist]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.mnw': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `mounts` ({ '/': dir, '/prefix/': dir2, ... }; the object may gain
 * entries later) on host:port (port 0: any free port). Resolves to { url, port, close() }.
 */
export function serve({ mounts, port = 0, host = '127.0.0.1' }) {
  // Read per request, so mounts added later are served too.
  const table = () =>
    Object.entries(mounts)
      .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : prefix + '/', resolve(dir)])
      .sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const mount = table().find(([p]) => path.startsWith(p));
      if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404).end();
      const [prefix, dir] = mount;
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (file !== dir && !file.startsWith(dir + sep)) return void res.writeHead(403).end();
      if ((await stat(file).catch(() => undefined))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      ok({ url: `http://${host}:${p}/`, port: p, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const root = resolve(arg('root', join(dirname(fileURLToPath(import.meta.url)), 'dist')));
  if (!(await stat(join(root, 'index.html')).catch(() => undefined))) {
    console.error(`${root} has no index.html: run \`npm run build:web\` first`);
    process.exit(1);
  }
  const { url } = await serve({ mounts: { '/': root }, port: Number(arg('port', 8080)), host: arg('host', '127.0.0.1') });
  console.log(`minnow demo: ${url}  (Ctrl-C to stop)`);
}
