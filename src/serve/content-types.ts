import { extname } from 'node:path';

const TEXT = '; charset=utf-8';

const CONTENT_TYPES: Record<string, string> = {
  '.html': `text/html${TEXT}`,
  '.htm': `text/html${TEXT}`,
  '.css': `text/css${TEXT}`,
  '.js': `text/javascript${TEXT}`,
  '.mjs': `text/javascript${TEXT}`,
  '.json': `application/json${TEXT}`,
  '.csv': `text/csv${TEXT}`,
  '.txt': `text/plain${TEXT}`,
  '.vtt': `text/vtt${TEXT}`,
  '.webmanifest': `application/manifest+json${TEXT}`,
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/** The Content-Type header for a file, from its extension. */
export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** HTML is revalidated on every visit; everything else may be reused from the cache for an hour. */
export function isDocument(file: string): boolean {
  return contentTypeFor(file).startsWith('text/html');
}
