// The shop's catalogue: 50 products derived from their index alone, so every build is identical.

export const PRODUCT_COUNT = 50;
export const PER_PAGE = 10;
export const PAGE_COUNT = Math.ceil(PRODUCT_COUNT / PER_PAGE);

/** The twelve kinds of thing the shop sells; each has one product picture shared by its products. */
export const KINDS = [
  {
    slug: 'throw', name: 'Wool Throw', code: 'THR', price: 89, category: 'Textiles', material: 'Shetland wool',
    size: '130 × 180 cm', weight: '1.1 kg', origin: 'Scottish Borders',
    blurb: 'A generous throw woven from undyed Shetland wool on a narrow loom, then brushed by hand so it softens with every winter.',
    care: 'Air it outside on a dry day; hand wash cold only when it truly needs it.',
    picture: { shape: 'folded', pattern: 'checks', scale: 5, colour: '#6d5a8a', accent: '#c9b8dc', backdrop: ['#efe7dc', '#d9cbb8'] },
  },
  {
    slug: 'cushion', name: 'Linen Cushion Cover', code: 'CUS', price: 34, category: 'Textiles', material: 'stonewashed linen',
    size: '50 × 50 cm', weight: '220 g', origin: 'Lithuania',
    blurb: 'Heavy stonewashed linen with a hidden wooden-button closure and a hand-finished piped edge.',
    care: 'Machine wash at 40 °C and dry flat; linen likes to be a little creased.',
    picture: { shape: 'cushion', pattern: 'stripes', scale: 7, colour: '#c98b4a', accent: '#f3dcb8', backdrop: ['#e3ece9', '#bfcfcb'] },
  },
  {
    slug: 'rug', name: 'Flatweave Rug', code: 'RUG', price: 149, category: 'Textiles', material: 'recycled cotton',
    size: '120 × 170 cm', weight: '3.4 kg', origin: 'Rajasthan, India',
    blurb: 'A reversible kilim-style rug woven from recycled cotton yarn in a bold diamond repeat.',
    care: 'Shake out weekly; spot clean with mild soap.',
    picture: { shape: 'folded', pattern: 'diamonds', scale: 4, colour: '#a8412f', accent: '#efc27a', backdrop: ['#f4efe6', '#d8cfc1'] },
  },
  {
    slug: 'runner', name: 'Table Runner', code: 'RUN', price: 29, category: 'Table', material: 'washed linen',
    size: '40 × 200 cm', weight: '260 g', origin: 'Northern Ireland',
    blurb: 'A long linen runner with woven pinstripes and mitred corners, made for long dinners.',
    care: 'Machine wash at 40 °C; iron damp on the reverse.',
    picture: { shape: 'runner', pattern: 'pinstripes', scale: 9, colour: '#e9dcc3', accent: '#2f4c6e', backdrop: ['#8a6a4f', '#5d4532'] },
  },
  {
    slug: 'brass-lantern', name: 'Brass Lantern', code: 'LAN', price: 59, category: 'Lighting', material: 'solid brass and glass',
    size: '14 × 14 × 32 cm', weight: '1.3 kg', origin: 'Moradabad, India',
    blurb: 'A hand-soldered brass lantern with a hinged door and a glass chimney for a pillar candle.',
    care: 'Wipe with a dry cloth; let the brass darken or polish it bright.',
    picture: { shape: 'lantern', pattern: 'plain', colour: '#c8a04a', accent: '#c8a04a', glow: '#ffcf7a', backdrop: ['#2a2630', '#141218'] },
  },
  {
    slug: 'paper-lantern', name: 'Paper Lantern', code: 'PAP', price: 24, category: 'Lighting', material: 'mulberry paper and bamboo',
    size: 'Ø 45 cm', weight: '300 g', origin: 'Gifu, Japan',
    blurb: 'A ribbed mulberry-paper shade on a bamboo frame that folds flat for the journey home.',
    care: 'Dust with a soft brush; keep away from damp.',
    picture: { shape: 'circle', pattern: 'ribs', scale: 8, colour: '#f6ead0', accent: '#d9c29a', glow: '#ffe2a8', backdrop: ['#34404f', '#1d2530'], contrast: 0.5 },
  },
  {
    slug: 'table-lamp', name: 'Table Lamp', code: 'LMP', price: 119, category: 'Lighting', material: 'glazed stoneware and linen',
    size: 'H 48 cm, shade Ø 30 cm', weight: '2.6 kg', origin: 'Stoke-on-Trent, England',
    blurb: 'A thrown stoneware base under a pleated linen shade, wired with a braided cloth flex.',
    care: 'Use a warm-white bulb of 40 W or less; dust the shade with a soft brush.',
    picture: { shape: 'lamp', pattern: 'ribs', scale: 14, colour: '#3f6b5c', accent: '#e8dcc2', glow: '#ffd995', backdrop: ['#e9e1d4', '#c9bba6'], contrast: 0.35 },
  },
  {
    slug: 'candles', name: 'Beeswax Candle Set', code: 'CAN', price: 19, category: 'Lighting', material: 'pure beeswax',
    size: 'three pillars, 10–15 cm', weight: '650 g', origin: 'Brittany, France',
    blurb: 'Three hand-dipped pillars of pure beeswax that burn slowly and smell faintly of honey.',
    care: 'Trim the wick to 5 mm before each lighting; never leave a flame unattended.',
    picture: { shape: 'candles', pattern: 'plain', colour: '#e8b84a', accent: '#e8b84a', backdrop: ['#f2ece4', '#d6cab9'] },
  },
  {
    slug: 'basket', name: 'Seagrass Basket', code: 'BAS', price: 39, category: 'Home', material: 'seagrass',
    size: 'Ø 38 × 32 cm', weight: '900 g', origin: 'Northern Vietnam',
    blurb: 'A sturdy basket coiled from seagrass with plaited handles, for blankets, logs or laundry.',
    care: 'Keep dry; brush out dust with a stiff brush.',
    picture: { shape: 'basket', pattern: 'weave', scale: 10, colour: '#a88b5a', accent: '#d8c18e', backdrop: ['#e6ece4', '#c5d0c2'] },
  },
  {
    slug: 'vase', name: 'Stoneware Vase', code: 'VAS', price: 45, category: 'Home', material: 'reduction-fired stoneware',
    size: 'H 26 cm', weight: '1.2 kg', origin: 'Cornwall, England',
    blurb: 'Thrown on the wheel and reduction fired, so no two glazes break over the shoulder the same way.',
    care: 'Watertight; wash by hand.',
    picture: { shape: 'vase', pattern: 'ribs', scale: 5, colour: '#6e8a9a', accent: '#9fb5bf', backdrop: ['#f1ebe2', '#d4c8b6'], contrast: 0.4 },
  },
  {
    slug: 'tea-towels', name: 'Tea Towel Pair', code: 'TEA', price: 18, category: 'Table', material: 'cotton and linen',
    size: '50 × 70 cm each', weight: '280 g', origin: 'Portugal',
    blurb: 'Two absorbent half-linen tea towels in a woven gingham, with a hanging loop.',
    care: 'Machine wash at 60 °C; tumble dry low.',
    picture: { shape: 'folded', pattern: 'gingham', scale: 9, colour: '#f2efe8', accent: '#3a6e8f', backdrop: ['#e8dfd2', '#cdbfac'], contrast: 0.8 },
  },
  {
    slug: 'pendant-shade', name: 'Pendant Shade', code: 'PEN', price: 79, category: 'Lighting', material: 'rattan',
    size: 'Ø 40 × 28 cm', weight: '700 g', origin: 'Cirebon, Indonesia',
    blurb: 'An open-weave rattan dome that throws a warm lattice of light across the ceiling.',
    care: 'Dust with a soft brush; wipe with a barely damp cloth.',
    picture: { shape: 'dome', pattern: 'weave', scale: 12, colour: '#b98a52', accent: '#e7c890', glow: '#ffd38a', backdrop: ['#3a3532', '#1e1b19'] },
  },
];

/** Colourways: the first word of every product name. */
const COLOURWAYS = [
  { name: 'Heather', note: 'mixes soft purple and grey like a moor in late summer' },
  { name: 'Saffron', note: 'is a warm, deep yellow that brightens a north-facing room' },
  { name: 'Indigo', note: 'is dyed with natural indigo and fades gently with use' },
  { name: 'Moss', note: 'is a quiet green that sits well beside old wood' },
  { name: 'Clay', note: 'is a muted terracotta taken from the potter’s wheel' },
  { name: 'Fjord', note: 'is a cold blue-grey borrowed from northern water' },
  { name: 'Ember', note: 'is a smouldering red-brown for the darker months' },
  { name: 'Oat', note: 'is an undyed natural that goes with everything' },
  { name: 'Slate', note: 'is a deep charcoal with a hint of blue' },
  { name: 'Rosehip', note: 'is a dusty pink that turns coral in evening light' },
];

const EXTRA_TAGS = ['handmade', 'gift idea', 'new in', 'bestseller', 'small batch'];

/** Six close-up pictures shared by all galleries. */
export const DETAILS = [
  { slug: 'weave', picture: { shape: 'folded', pattern: 'weave', scale: 5, zoom: 2.6, colour: '#8c6f4e', accent: '#e3cfa9', backdrop: ['#8c6f4e', '#8c6f4e'] } },
  { slug: 'fringe', picture: { shape: 'runner', pattern: 'pinstripes', scale: 6, zoom: 1.5, colour: '#e7dcc8', accent: '#7a5a3c', backdrop: ['#d8cdbd', '#b8aa95'] } },
  { slug: 'glaze', picture: { shape: 'circle', pattern: 'ribs', scale: 3, zoom: 2, colour: '#5f7f8f', accent: '#b7c9cf', backdrop: ['#ece4d8', '#cfc2ae'], contrast: 0.5 } },
  { slug: 'flame', picture: { shape: 'candles', pattern: 'plain', zoom: 1.8, colour: '#e3ad3f', accent: '#e3ad3f', glow: '#ffd27f', backdrop: ['#2b2520', '#15110e'] } },
  { slug: 'brass', picture: { shape: 'lantern', pattern: 'plain', zoom: 1.9, colour: '#b8903e', accent: '#b8903e', glow: '#ffc869', backdrop: ['#302a24', '#181410'] } },
  { slug: 'check', picture: { shape: 'cushion', pattern: 'checks', scale: 3, zoom: 1.6, colour: '#4d6b57', accent: '#dcd3bd', backdrop: ['#e2dbcf', '#c4b8a5'] } },
];

const pad = (n) => String(n).padStart(3, '0');

const productPath = (index) => `/products/p-${pad(index)}.html`;
export const listPath = (page) => `/products/page-${page}.html`;
export const picturePath = (kind) => `/assets/img/products/${kind.slug}.png`;
export const thumbnailPath = (kind) => `/assets/img/thumbs/${kind.slug}.png`;
export const detailPath = (detail) => `/assets/img/details/${detail.slug}.png`;

/** Product number `index` (1-based), everything a page shows about it. */
export function product(index) {
  const kindIndex = (index - 1) % KINDS.length;
  const row = Math.floor((index - 1) / KINDS.length);
  const kind = KINDS[kindIndex];
  const colourway = COLOURWAYS[(row * 3 + kindIndex) % COLOURWAYS.length];
  const cents = (kind.price + ((index * 7) % 5) * 5) * 100 + (index % 4 === 0 ? 50 : 0);
  const inStock = index % 7 !== 0;
  const reviews = 3 + ((index * 11) % 37);
  const rating = 3.5 + ((index * 3) % 4) * 0.5;
  const tags = [kind.category.toLowerCase(), kind.material.split(' ').at(-1), colourway.name.toLowerCase()];
  if (index % 3 !== 1) tags.push(EXTRA_TAGS[index % EXTRA_TAGS.length]);
  const gallery = [DETAILS[kindIndex % DETAILS.length], DETAILS[(kindIndex + 2) % DETAILS.length]];
  if (index % 2 === 0) gallery.push(DETAILS[(kindIndex + 4) % DETAILS.length]);
  return {
    index,
    kind,
    name: `${colourway.name} ${kind.name}`,
    sku: `LL-${kind.code}-${pad(index)}`,
    path: productPath(index),
    page: Math.ceil(index / PER_PAGE),
    price: (cents / 100).toFixed(2),
    inStock,
    rating,
    reviews,
    tags,
    gallery,
    description: `${kind.blurb} The ${colourway.name.toLowerCase()} colourway ${colourway.note}.`,
    related: [1, 12, 23].map((offset) => ((index - 1 + offset) % PRODUCT_COUNT) + 1),
  };
}

export const products = () => Array.from({ length: PRODUCT_COUNT }, (_, i) => product(i + 1));
