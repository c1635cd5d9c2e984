/**
 * A git server on loopback, as a forge serves repositories: git's own smart-HTTP CGI (`git http-backend`)
 * behind a small Node server, so that the GitOps engine clones and fetches over the network and people
 * push to it. Every repository under the root is served; `POST /repositories/<name>` creates a bare one
 * (branch main). Pushes need no credentials: the server listens on 127.0.0.1 only.
 *
 * Run as `node --import tsx git-server.ts <port> <root>`; it prints `listening <port>` once it serves.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A repository name: one path segment ending in `.git`. */
const REPOSITORY = /^\/repositories\/([a-z0-9][-a-z0-9_.]*\.git)$/;

/** Creates the bare repository `name` under `root` unless it exists; pushes to it are allowed. */
export async function createRepository(root: string, name: string): Promise<string> {
  const dir = join(root, name);
  if (!existsSync(dir)) {
    await mkdir(dir, { recursive: true });
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
    await run('git', ['-C', dir, 'config', 'http.receivepack', 'true']);
  }
  return dir;
}

/** Hands one request to `git http-backend` and streams its CGI answer back. */
function serveGit(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const backend = spawn('git', ['http-backend'], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      // git decompresses gzipped request bodies itself when told so.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    },
  });
  req.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let headerDone = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headerDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      return;
    }
    headerDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      if (name.toLowerCase() === 'status') {
        status = Number.parseInt(value, 10);
      } else {
        res.setHeader(name, value);
      }
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  let stderr = '';
  backend.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  backend.on('close', (code) => {
    if (!headerDone) {
      res.writeHead(500).end(`git http-backend exited with code ${code}: ${stderr}\n`);
      return;
    }
    res.end();
  });
}

export function startGitServer(
  root: string,
  port = 0,
  host = '127.0.0.1',
): Promise<{ port: number; close: () => void }> {
  const server = createServer((req, res) => {
    const created = req.method === 'POST' ? REPOSITORY.exec(req.url ?? '') : null;
    if (created) {
      createRepository(root, created[1]).then(
        () => res.writeHead(201).end(),
        (error: Error) => res.writeHead(500).end(`${error.message}\n`),
      );
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200).end('ok\n');
      return;
    }
    serveGit(root, req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() }),
    );
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [port, root] = process.argv.slice(2);
  if (!root) {
    throw new Error('usage: git-server.ts <port> <root folder of the repositories>');
  }
  await mkdir(root, { recursive: true });
  const server = await startGitServer(root, Number(port ?? 0));
  console.log(`listening ${server.port}`);
}
