// Paints the demo's product pictures procedurally: a backdrop, an object with a woven pattern and
// soft light, film grain. The grain is what keeps the PNGs heavy (tens of kilobytes, like photos).

/** A small deterministic PRNG (mulberry32), so every build paints the same pixels. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hex(colour) {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Amplitude of the film grain, in 8-bit levels. */
const GRAIN = 12;

const mix = (a, b, t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const smooth = (edge0, edge1, x) => {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
};

/** Pattern strength (0..1) at (x, y) in object space, where 1 unit is the object's half width. */
const PATTERNS = {
  plain: () => 0,
  checks: (x, y, s) => ((Math.floor(x * s) + Math.floor(y * s)) & 1 ? 1 : 0),
  gingham: (x, y, s) => ((Math.floor(x * s) & 1) + (Math.floor(y * s) & 1)) / 2,
  stripes: (x, y, s) => (Math.floor(y * s) & 1 ? 1 : 0),
  pinstripes: (x, _y, s) => (Math.abs(Math.sin(x * s * Math.PI)) > 0.92 ? 1 : 0),
  diamonds: (x, y, s) => (Math.floor(Math.abs(x * s) + Math.abs(y * s)) & 1 ? 1 : 0),
  weave: (x, y, s) => {
    const row = Math.floor(y * s);
    const column = Math.floor(x * s);
    const over = (row + column) & 1;
    const along = over ? (x * s) % 1 : (y * s) % 1;
    return over * 0.6 + Math.sin(Math.abs(along) * Math.PI) * 0.4;
  },
  ribs: (_x, y, s) => 0.5 + 0.5 * Math.sin(y * s * Math.PI * 2),
};

/** Whether (u, v) in [-1, 1]² lies inside the object, and a shading factor for it. */
const SHAPES = {
  folded: (u, v) => {
    if (Math.abs(u) > 0.78 || Math.abs(v) > 0.5) return null;
    const fold = Math.abs(((v + 0.5) % 0.25) - 0.125) < 0.01 ? 0.75 : 1;
    return fold * (1 - 0.25 * (v + 0.5));
  },
  cushion: (u, v) => {
    const r = Math.abs(u) ** 2.6 + Math.abs(v / 0.9) ** 2.6;
    return r > 0.55 ? null : 1.05 - r * 0.7;
  },
  runner: (u, v) => (Math.abs(u) > 0.95 || Math.abs(v) > 0.22 ? null : 1 - 0.1 * Math.abs(u)),
  circle: (u, v) => {
    const r = u * u + v * v;
    return r > 0.42 ? null : 1.1 - r;
  },
  vase: (u, v) => {
    if (v < -0.8 || v > 0.75) return null;
    const t = (v + 0.8) / 1.55;
    const half = 0.16 + 0.36 * Math.sin(Math.PI * t ** 1.3) ** 1.4;
    return Math.abs(u) > half ? null : 1.05 - 0.5 * (u / half) ** 2;
  },
  lamp: (u, v) => {
    if (v >= -0.75 && v <= -0.15) {
      const half = 0.28 + 0.22 * ((v + 0.75) / 0.6);
      return Math.abs(u) > half ? null : 1.2 - 0.3 * (u / half) ** 2;
    }
    if (v > -0.15 && v <= 0.7) {
      const half = 0.1 + 0.2 * Math.sin(Math.PI * ((v + 0.15) / 0.85));
      return Math.abs(u) > half ? null : 0.95 - 0.5 * (u / half) ** 2;
    }
    return null;
  },
  dome: (u, v) => {
    if (v < -0.9 || v > 0.35) return null;
    const half = 0.04 + 0.7 * Math.sqrt(Math.max(0, (v + 0.45) / 0.8));
    if (v < -0.45) return Math.abs(u) > 0.03 ? null : 0.6;
    return Math.abs(u) > half ? null : 1.05 - 0.45 * (u / half) ** 2;
  },
  lantern: (u, v) => {
    if (Math.abs(u) > 0.42 || v < -0.72 || v > 0.72) return null;
    const frame = Math.abs(u) > 0.36 || Math.abs(v) > 0.6 || Math.abs(u) < 0.02;
    return frame ? 0.55 : 1.35 - 0.8 * (u * u + v * v);
  },
  candles: (u, v) => {
    for (const [centre, top] of [[-0.42, -0.3], [0, -0.6], [0.42, -0.1]]) {
      const du = u - centre;
      if (Math.abs(du) < 0.15 && v > top && v < 0.7) return 1.05 - 0.5 * (du / 0.15) ** 2;
      if (Math.abs(du) < 0.012 && v > top - 0.09 && v <= top) return 0.3;
    }
    return null;
  },
  basket: (u, v) => {
    if (v < -0.45 || v > 0.65) return null;
    const half = 0.7 - 0.12 * ((v + 0.45) / 1.1);
    return Math.abs(u) > half ? null : 1 - 0.45 * (u / half) ** 2;
  },
};

/**
 * Paints one picture and returns its RGB bytes. `recipe` names a shape and pattern from the
 * tables above, colours as "#rrggbb", `glow` for lighting products and `zoom` for close-ups.
 */
export function paint(width, height, recipe, seed) {
  const next = random(seed);
  const top = hex(recipe.backdrop[0]);
  const bottom = hex(recipe.backdrop[1]);
  const body = hex(recipe.colour);
  const accent = hex(recipe.accent);
  const glow = recipe.glow ? hex(recipe.glow) : null;
  const shape = SHAPES[recipe.shape];
  const pattern = PATTERNS[recipe.pattern];
  const scale = recipe.scale ?? 6;
  const zoom = recipe.zoom ?? 1;
  const rgb = Buffer.alloc(width * height * 3);
  // Grain in 2×2 clumps, like film: heavy enough to keep the file photo-sized, no heavier.
  const clumps = Array.from({ length: Math.ceil(width / 2) * Math.ceil(height / 2) }, () => (next() - 0.5) * GRAIN);
  const size = Math.min(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = ((x - width / 2) / (size / 2)) / zoom;
      const v = ((y - height / 2) / (size / 2)) / zoom;
      let colour = mix(top, bottom, y / height);
      const floor = (v - 0.72) * 4;
      const shadow = Math.exp(-(u * u * 2.2 + floor * floor));
      colour = mix(colour, [0, 0, 0], 0.28 * shadow);
      if (glow) {
        const reach = Math.exp(-(u * u + (v + 0.1) * (v + 0.1)) * 1.6);
        colour = mix(colour, glow, 0.55 * reach);
      }
      const light = shape(u, v);
      if (light !== null) {
        const stitch = pattern(u + 2, v + 2, scale);
        colour = mix(body, accent, stitch * (recipe.contrast ?? 0.7));
        colour = colour.map((c) => c * light * (0.92 + 0.1 * smooth(-1, 1, -u - v)));
        if (glow) colour = mix(colour, glow, 0.35 * light * smooth(0.2, 1.3, light));
      }
      const grain = clumps[(y >> 1) * Math.ceil(width / 2) + (x >> 1)];
      const out = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[out + c] = Math.max(0, Math.min(255, Math.round(colour[c] + grain)));
    }
  }
  return rgb;
}
