/**
 * Serves the long benchmark's light site in its own process, so that neither its memory nor the
 * harness's readings are part of the tree being measured: /items/N is a small page (a title, a
 * price, three paragraphs, no images, styles or scripts) made on the fly for any N.
 * Prints the address on the first line of stdout and serves until killed.
 */
import { createServer } from 'node:http';

const PARAGRAPH = 'A plain item page for the long benchmark: enough text to parse and extract, nothing to download after it.';

function itemPage(n: number): string {
  const price = ((n * 37) % 10_000) / 100 + 1;
  const paragraphs = [1, 2, 3].map((k) => `<p>${PARAGRAPH} Item ${n}, paragraph ${k}.</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Item ${n}</title></head>
<body><h1 class="title">Item ${n}</h1><p class="price">${price.toFixed(2)} EUR</p>
${paragraphs}
</body></html>
`;
}

const server = createServer((request, response) => {
  const n = /^\/items\/(\d+)$/.exec(request.url ?? '')?.[1];
  if (n === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(itemPage(Number(n)));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
