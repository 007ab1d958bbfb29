// A minimal PNG encoder (8-bit RGB, no interlace) on node:zlib, so the demo needs no image tools.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const paeth = (a, b, c) => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** The five PNG row filters, as predictors of a byte from its left, up and up-left neighbours. */
const PREDICTORS = [() => 0, (a) => a, (_a, b) => b, (a, b) => (a + b) >> 1, paeth];

/**
 * Encodes `rgb` (width * height * 3 bytes, rows top to bottom) as a PNG. Each row takes the
 * filter with the smallest residuals, the heuristic libpng uses.
 */
export function encodePng(width, height, rgb) {
  const stride = width * 3;
  const filtered = Buffer.alloc((stride + 1) * height);
  const row = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    let best = Infinity;
    for (const [type, predict] of PREDICTORS.entries()) {
      let cost = 0;
      for (let x = 0; x < stride; x++) {
        const at = y * stride + x;
        const a = x >= 3 ? rgb[at - 3] : 0;
        const b = y > 0 ? rgb[at - stride] : 0;
        const c = x >= 3 && y > 0 ? rgb[at - stride - 3] : 0;
        row[x] = (rgb[at] - predict(a, b, c)) & 0xff;
        cost += row[x] < 128 ? row[x] : 256 - row[x];
      }
      if (cost < best) {
        best = cost;
        filtered[y * (stride + 1)] = type;
        row.copy(filtered, y * (stride + 1) + 1);
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
