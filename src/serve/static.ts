import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentTypeFor, isDocument } from './content-types.js';

export interface StaticServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:43567. */
  url: string;
  port: number;
  /** Stops listening and ends every open connection, idle or not. */
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** No startup line and no request log on stderr. */
  quiet?: boolean;
}

type Located = { file: string; info: Stats } | { folder: true } | { status: number };

const REASONS: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'Server error',
};

/** Serves the files under `root` on 127.0.0.1, on a free port, for the length of a run. */
export async function startStaticServer(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const base = await resolveRoot(root);
  const server = createServer((request, response) => {
    if (!options.quiet) response.on('finish', () => process.stderr.write(`${response.statusCode} ${request.method} ${request.url}\n`));
    respond(base, request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else sendError(request, response, 500);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  if (!options.quiet) process.stderr.write(`Serving ${base} at ${url}\n`);
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closed ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        // Keep-alive sockets would otherwise hold the process open for keepAliveTimeout.
        server.closeAllConnections();
      })),
  };
}

async function resolveRoot(root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(resolve(root));
  } catch {
    throw new Error(`cannot serve ${root}: there is no such folder`);
  }
  if (!(await stat(real)).isDirectory()) throw new Error(`cannot serve ${root}: it is a file, not a folder`);
  return real;
}

async function respond(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return sendError(request, response, 405);
  }
  const [rawPath, query] = splitUrl(request.url ?? '/');
  const path = decodePath(rawPath);
  const located = typeof path === 'number' ? { status: path } : await locate(root, path);
  if ('status' in located) return sendError(request, response, located.status);
  if ('folder' in located) {
    // One leading slash only: "//host/" would send the browser to another site.
    response.writeHead(301, { Location: `/${rawPath.replace(/^\/+/, '')}/${query}`, 'Content-Length': 0 });
    response.end();
    return;
  }
  await sendFile(request, response, located.file, located.info);
}

function splitUrl(url: string): [path: string, query: string] {
  const end = url.search(/[?#]/);
  return end === -1 ? [url, ''] : [url.slice(0, end), url.slice(end).split('#')[0]];
}

/** The decoded path, or the status that refuses it: malformed, NUL, `..` (even encoded) or a hidden file. */
function decodePath(rawPath: string): string | number {
  if (!rawPath.startsWith('/')) return 400;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return 400;
  }
  if (path.includes('\0')) return 400;
  const segments = path.split(/[\\/]/);
  if (segments.includes('..')) return 403;
  if (segments.some((segment) => segment.startsWith('.') && segment !== '.')) return 404;
  return path;
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function locate(root: string, path: string): Promise<Located> {
  const candidate = join(root, path);
  if (!isInside(root, candidate)) return { status: 403 };
  let file: string;
  let info: Stats;
  try {
    // Resolving links keeps a symbolic link inside the root from reaching a file outside it.
    file = await realpath(candidate);
    if (!isInside(root, file)) return { status: 403 };
    info = await stat(file);
  } catch (error) {
    return { status: statusForFileError(error) };
  }
  if (info.isDirectory()) return path.endsWith('/') ? locate(root, `${path}index.html`) : { folder: true };
  return info.isFile() ? { file, info } : { status: 404 };
}

function statusForFileError(error: unknown): number {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 403;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP') return 404;
  throw error;
}

async function sendFile(request: IncomingMessage, response: ServerResponse, file: string, info: Stats): Promise<void> {
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  response.setHeader('Content-Type', contentTypeFor(file));
  response.setHeader('ETag', etag);
  response.setHeader('Last-Modified', info.mtime.toUTCString());
  response.setHeader('Cache-Control', isDocument(file) ? 'no-cache' : 'max-age=3600');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (isFresh(request, etag, info)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.setHeader('Content-Length', info.size);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  try {
    await pipeline(createReadStream(file), response);
  } catch {
    // The client went away mid-file; pipeline has already destroyed both streams.
  }
}

/** Whether the browser's cached copy is still current (If-None-Match wins over If-Modified-Since). */
function isFresh(request: IncomingMessage, etag: string, info: Stats): boolean {
  const noneMatch = request.headers['if-none-match'];
  if (noneMatch !== undefined) {
    const opaque = etag.replace(/^W\//, '');
    return noneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === opaque);
  }
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && Math.floor(info.mtimeMs / 1000) * 1000 <= since;
}

function sendError(request: IncomingMessage, response: ServerResponse, status: number): void {
  const reason = REASONS[status] ?? REASONS[500];
  const detail = status === 404 ? `Nothing is served at ${request.url}.` : `${request.method} ${request.url}`;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${status} ${reason}</title></head>
<body><h1>${reason}</h1><p>${escapeHtml(detail)}</p></body></html>
`;
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
