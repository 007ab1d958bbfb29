// The demo's pages, as HTML strings. Markup that workflows extract from is kept plain and stable:
// article.product-card, a.product-link, h1.product-title, span.price, span.sku, span.stock, ...

import { DETAILS, KINDS, PAGE_COUNT, PER_PAGE, PRODUCT_COUNT, detailPath, listPath, picturePath, product, products, thumbnailPath } from './catalogue.mjs';
import { SHOP, esc, page } from './layout.mjs';

const euro = (price) => `€${price}`;
const stockText = (item) => (item.inStock ? 'In stock' : 'Out of stock');

function stars(rating) {
  const full = Math.floor(rating);
  return '★'.repeat(full) + (rating % 1 ? '½' : '') + '☆'.repeat(5 - Math.ceil(rating));
}

function productCard(item) {
  return `<article class="product-card" data-sku="${item.sku}" data-category="${item.kind.category.toLowerCase()}" data-price="${item.price}" data-in-stock="${item.inStock}">
  <a class="product-link" href="${item.path}">
    <img src="${thumbnailPath(item.kind)}" alt="${esc(item.name)}" width="240" height="240">
    <h2 class="product-name">${esc(item.name)}</h2>
  </a>
  <p class="product-card__meta"><span class="price" data-currency="EUR">${euro(item.price)}</span> <span class="stock stock--${item.inStock ? 'in' : 'out'}">${stockText(item)}</span></p>
</article>`;
}

const recentlyViewed = `<section class="recently-viewed container" data-recently-viewed hidden>
  <div class="section__header"><h2>Recently viewed</h2><button class="link-button" type="button" data-recent-clear>Clear</button></div>
  <ol class="recently-viewed__list"></ol>
</section>`;

export function homePage() {
  const featured = [1, 5, 8, 12].map(product);
  const tiles = featured
    .map(
      (item) => `<li class="feature-tile">
        <a href="${item.path}">
          <img src="${thumbnailPath(item.kind)}" alt="${esc(item.name)}" width="240" height="240">
          <div class="feature-tile__body"><p class="feature-tile__name">${esc(item.name)}</p><span class="feature-tile__price">${euro(item.price)}</span></div>
        </a>
      </li>`,
    )
    .join('\n      ');
  return page({
    title: 'Woven textiles and warm light',
    description: `${SHOP}: wool throws, linen, rugs, lanterns and lamps made by small workshops.`,
    section: 'home',
    bodyClass: 'page page--home',
    body: `<section class="hero container">
  <div>
    <p class="hero__eyebrow">Autumn collection</p>
    <h1 class="hero__title">Woven things and warm light for the dark half of the year</h1>
    <p class="hero__lead">Throws from the Scottish Borders, stoneware from Cornwall, paper lanterns from Gifu. ${PRODUCT_COUNT} pieces, each made by someone we have met.</p>
    <div class="hero__actions">
      <a class="button" href="/products/page-1.html">Browse the catalogue</a>
      <a class="button button--ghost" href="/search.html?q=lantern">Shop lanterns</a>
    </div>
  </div>
  <img class="hero__image" src="/assets/img/hero.png" alt="Three beeswax candles glowing in the dark" width="800" height="340">
</section>
<section class="section container">
  <div class="section__header"><h2>Chosen this week</h2><a href="/products/page-1.html">See all ${PRODUCT_COUNT} products</a></div>
  <ul class="feature-grid">
      ${tiles}
  </ul>
</section>
<section class="section container">
  <div class="story">
    <img src="${detailPath(DETAILS[0])}" alt="Close-up of a wool weave" width="360" height="360">
    <div>
      <p class="eyebrow">Our makers</p>
      <h2>Twelve workshops, one long road trip a year</h2>
      <p>We started ${esc(SHOP)} in 2016 with a van, a list of weavers and a rule: we only sell what we have seen being made. Today we work with twelve small workshops in nine countries and pay every one of them before the goods leave.</p>
      <p>Most pieces come in batches of a few dozen. When something sells out it may be months before the loom comes round to it again.</p>
    </div>
  </div>
</section>
<section class="section container">
  <ul class="values">
    <li><strong>Made by hand</strong>Woven, thrown, dipped or soldered by people, not lines.</li>
    <li><strong>Free returns</strong>Thirty days to change your mind, collected from your door.</li>
    <li><strong>Repairs for life</strong>Send back a frayed throw or a broken lantern and we mend it.</li>
  </ul>
</section>
${recentlyViewed}`,
  });
}

function pagination(current) {
  const previous =
    current > 1
      ? `<a class="pagination__prev" rel="prev" href="${listPath(current - 1)}">Previous</a>`
      : '<span class="pagination__prev is-disabled" aria-disabled="true">Previous</span>';
  const next =
    current < PAGE_COUNT
      ? `<a class="pagination__next" rel="next" href="${listPath(current + 1)}">Next</a>`
      : '<span class="pagination__next is-disabled" aria-disabled="true">Next</span>';
  const numbers = Array.from({ length: PAGE_COUNT }, (_, i) => i + 1)
    .map((n) => `<li><a href="${listPath(n)}"${n === current ? ' aria-current="page"' : ''}>${n}</a></li>`)
    .join('');
  return `<nav class="pagination" aria-label="Pages">
    ${previous}
    <ol>${numbers}</ol>
    ${next}
  </nav>`;
}

export function listPage(current) {
  const first = (current - 1) * PER_PAGE + 1;
  const items = products().slice(first - 1, first - 1 + PER_PAGE);
  const last = first + items.length - 1;
  const categories = [...new Set(KINDS.map((kind) => kind.category))]
    .map((category) => `<label><input type="checkbox" name="category" value="${category.toLowerCase()}"> ${category}</label>`)
    .join('\n      ');
  const links = [current > 1 ? `<link rel="prev" href="${listPath(current - 1)}">` : '', current < PAGE_COUNT ? `<link rel="next" href="${listPath(current + 1)}">` : ''];
  return page({
    title: `All products, page ${current} of ${PAGE_COUNT}`,
    description: `Products ${first} to ${last} of ${PRODUCT_COUNT} at ${SHOP}.`,
    section: 'catalogue',
    bodyClass: 'page page--catalogue',
    head: links.filter(Boolean).join('\n'),
    body: `<div class="container">
<nav class="breadcrumb" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li aria-current="page">Catalogue</li></ol></nav>
<div class="catalogue">
  <div class="catalogue__header">
    <div>
      <h1>All products</h1>
      <p class="result-count">Showing ${first}–${last} of ${PRODUCT_COUNT} products · page ${current} of ${PAGE_COUNT}</p>
    </div>
    <div class="sort-bar">
      <label for="sort">Sort this page</label>
      <select id="sort" name="sort">
        <option value="featured">Featured</option>
        <option value="price-asc">Price, low to high</option>
        <option value="price-desc">Price, high to low</option>
        <option value="name">Name, A to Z</option>
      </select>
    </div>
  </div>
  <aside class="filters" aria-label="Filters">
    <fieldset>
      <legend>Category</legend>
      ${categories}
    </fieldset>
    <fieldset>
      <legend>Availability</legend>
      <label><input type="checkbox" id="in-stock-only"> In stock only</label>
    </fieldset>
    <p class="text-sm text-muted" data-visible-count>${items.length} products shown on this page</p>
    <button class="button button--ghost button--small" type="button" data-filters-reset>Reset filters</button>
  </aside>
  <section aria-label="Products">
    <div class="product-grid">
${items.map(productCard).join('\n')}
    </div>
    <p class="empty-state" data-empty hidden>Nothing on this page matches those filters.</p>
  ${pagination(current)}
  </section>
</div>
</div>
${recentlyViewed}`,
  });
}

const REVIEWERS = ['Aoife, Galway', 'Tomás, Cork', 'Ingrid, Bergen', 'Marek, Kraków', 'Helen, York', 'Sofía, Bilbao', 'Pieter, Utrecht', 'Claire, Lyon'];
const REVIEW_LINES = [
  'Even nicer than the pictures. It has become the first thing guests ask about.',
  'Arrived well packed and a day early. The quality is obvious as soon as you hold it.',
  'Lovely colour, slightly smaller than I imagined, so check the measurements.',
  'Bought one as a present and went straight back for a second for myself.',
  'Beautifully made. I like knowing who made it and where.',
  'Good value for something that will clearly last for years.',
];

export function productPage(index) {
  const item = product(index);
  const { kind } = item;
  const gallery = item.gallery
    .map(
      (detail, i) =>
        `<li><button type="button" aria-pressed="false" data-src="${detailPath(detail)}"><img src="${detailPath(detail)}" alt="Detail ${i + 1}: ${detail.slug}" width="96" height="96"></button></li>`,
    )
    .join('\n        ');
  const related = item.related
    .map(product)
    .map(
      (other) => `<li class="related-item"><a href="${other.path}">
        <img src="${thumbnailPath(other.kind)}" alt="" width="96" height="96">
        <span><span class="related-item__name">${esc(other.name)}</span><span class="related-item__price">${euro(other.price)}</span></span>
      </a></li>`,
    )
    .join('\n      ');
  const reviews = [0, 1]
    .map((n) => {
      const author = REVIEWERS[(index + n * 3) % REVIEWERS.length];
      const text = REVIEW_LINES[(index * 2 + n) % REVIEW_LINES.length];
      return `<li class="review"><p class="rating" aria-label="${5 - n} out of 5">${stars(5 - n)}</p><p>${esc(text)}</p><p class="review__author">${esc(author)}</p></li>`;
    })
    .join('\n    ');
  const jsonLd = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: item.name,
    sku: item.sku,
    image: picturePath(kind),
    description: item.description,
    brand: { '@type': 'Brand', name: SHOP },
    offers: { '@type': 'Offer', price: item.price, priceCurrency: 'EUR', availability: `https://schema.org/${item.inStock ? 'InStock' : 'OutOfStock'}` },
    aggregateRating: { '@type': 'AggregateRating', ratingValue: item.rating, reviewCount: item.reviews },
  });
  const buy = item.inStock
    ? `<div class="quantity">
          <button type="button" data-step="-1" aria-label="One fewer">−</button>
          <label class="visually-hidden" for="quantity">Quantity</label>
          <input id="quantity" name="quantity" type="number" min="1" max="20" value="1" inputmode="numeric">
          <button type="button" data-step="1" aria-label="One more">+</button>
        </div>
        <button class="button button--accent" type="submit">Add to basket</button>
        <p class="buy-box__note">Ships in 2–4 working days from Galway. Free returns within 30 days.</p>`
    : `<button class="button" type="submit" disabled>Sold out</button>
        <p class="buy-box__note">The workshop is making more; most pieces return within eight weeks.</p>`;
  return page({
    title: item.name,
    description: item.description,
    section: 'catalogue',
    bodyClass: 'page page--product',
    head: `<script type="application/ld+json">${jsonLd.replace(/</g, '\\u003c')}</script>`,
    body: `<div class="container">
<nav class="breadcrumb" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="${listPath(item.page)}">Catalogue, page ${item.page}</a></li><li aria-current="page">${esc(item.name)}</li></ol></nav>
<div class="product" data-sku="${item.sku}" data-name="${esc(item.name)}" data-price="${item.price}" data-thumbnail="${thumbnailPath(kind)}" data-in-stock="${item.inStock}">
  <section class="product__media" aria-label="Pictures">
    <img class="product-image" src="${picturePath(kind)}" alt="${esc(item.name)}" width="440" height="440" tabindex="0">
    <ul class="gallery">
        ${gallery}
    </ul>
  </section>
  <section class="product__summary">
    <p class="product__category">${kind.category}</p>
    <h1 class="product-title">${esc(item.name)}</h1>
    <p class="rating" aria-label="Rated ${item.rating} out of 5">${stars(item.rating)} <span>${item.rating} · ${item.reviews} reviews</span></p>
    <p class="product__price"><span class="price" data-currency="EUR">${euro(item.price)}</span> <span class="vat-note">incl. VAT</span></p>
    <p class="product__meta">SKU <span class="sku">${item.sku}</span> · <span class="stock stock--${item.inStock ? 'in' : 'out'}">${stockText(item)}</span></p>
    <p class="description">${esc(item.description)}</p>
    <ul class="tags">
      ${item.tags.map((tag) => `<li>${esc(tag)}</li>`).join('')}
    </ul>
    <form class="buy-box" data-buy-box>
        ${buy}
    </form>
    <dl class="specs">
      <dt>Material</dt><dd>${esc(kind.material)}</dd>
      <dt>Size</dt><dd>${esc(kind.size)}</dd>
      <dt>Weight</dt><dd>${esc(kind.weight)}</dd>
      <dt>Made in</dt><dd>${esc(kind.origin)}</dd>
    </dl>
    <p class="care">${esc(kind.care)}</p>
  </section>
</div>
<section class="reviews" aria-label="Reviews">
  <h2>What customers say</h2>
  <ul class="review-list">
    ${reviews}
  </ul>
</section>
<section class="related">
  <h2>You may also like</h2>
  <ul class="related-list">
      ${related}
  </ul>
</section>
</div>
${recentlyViewed}`,
  });
}

export function searchPage() {
  const index = products().map((item) => ({
    sku: item.sku,
    name: item.name,
    url: item.path,
    price: item.price,
    category: item.kind.category,
    tags: [...item.tags, item.kind.material],
    thumbnail: thumbnailPath(item.kind),
    inStock: item.inStock,
  }));
  return page({
    title: 'Search',
    description: `Search the ${SHOP} catalogue.`,
    section: 'search',
    bodyClass: 'page page--search',
    body: `<div class="container search-page">
<h1>Search the shop</h1>
<form class="search-form" action="/search.html" method="get">
  <div class="field"><label for="search-q">Words</label><input id="search-q" type="search" name="q" placeholder="wool, lantern, indigo…"></div>
  <div class="field"><label for="search-max">Highest price (€)</label><input id="search-max" type="number" name="max" min="0" step="1"></div>
  <button class="button" type="submit">Search</button>
</form>
<p class="result-count" data-search-summary role="status"></p>
<ol class="search-results"></ol>
<script type="application/json" id="search-index">${JSON.stringify(index).replace(/</g, '\\u003c')}</script>
</div>`,
  });
}

export function loginPage() {
  return page({
    title: 'Sign in',
    description: `Sign in to your ${SHOP} account.`,
    section: 'account',
    bodyClass: 'page page--login',
    body: `<div class="container">
<section class="auth-card">
  <h1>Welcome back</h1>
  <p class="auth-card__hint">This is a demo shop: any username with any password signs you in.</p>
  <p class="form-error" data-already-signed-in hidden></p>
  <form id="login-form" class="form" method="post" novalidate>
    <div class="field">
      <label for="username">Username</label>
      <input id="username" name="username" type="text" autocomplete="username" required>
    </div>
    <div class="field">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
    </div>
    <p class="form-error" role="alert" hidden></p>
    <button class="button button--block" type="submit">Sign in</button>
  </form>
</section>
</div>`,
  });
}

export function accountPage() {
  const orders = [
    ['LL-20931', '2 October 2025', `${product(1).name}, ${product(8).name}`, '€108.00'],
    ['LL-20544', '14 August 2025', product(6).name, '€29.00'],
    ['LL-19870', '3 March 2025', `${product(10).name} × 2`, '€90.00'],
  ]
    .map(([id, date, what, total]) => `<tr><td>${id}</td><td>${date}</td><td>${esc(what)}</td><td>${total}</td><td><span class="status-pill">Delivered</span></td></tr>`)
    .join('\n        ');
  return page({
    title: 'Your account',
    description: `Your ${SHOP} account.`,
    section: 'account',
    bodyClass: 'page page--account',
    body: `<div class="container account">
<section data-signed-in hidden>
  <h1 class="welcome">Your account</h1>
  <p>Here are your recent orders. Need help with one? <a href="/forms/contact.html">Write to us</a>.</p>
  <table class="orders">
    <thead><tr><th>Order</th><th>Date</th><th>Items</th><th>Total</th><th>Status</th></tr></thead>
    <tbody>
        ${orders}
    </tbody>
  </table>
  <button class="button button--ghost" type="button" data-sign-out>Sign out</button>
</section>
<section data-signed-out>
  <h1>Your account</h1>
  <p class="signed-out">You are not signed in. <a href="/forms/login.html">Go to the sign-in page</a> to see your orders.</p>
</section>
</div>`,
  });
}

export function contactPage() {
  return page({
    title: 'Contact us',
    description: `Write to ${SHOP}.`,
    section: 'contact',
    bodyClass: 'page page--contact',
    body: `<div class="container contact">
<section>
  <h1>Contact us</h1>
  <p>Questions about an order, a return or a wholesale account: we answer every message within two working days.</p>
  <form id="contact-form" class="form" method="post" novalidate>
    <div class="field">
      <label for="name">Your name</label>
      <input id="name" name="name" type="text" autocomplete="name" required>
    </div>
    <div class="field">
      <label for="email">Email address</label>
      <input id="email" name="email" type="email" autocomplete="email" required>
    </div>
    <div class="field">
      <label for="order">Order number <span class="field__hint">(if you have one)</span></label>
      <input id="order" name="order" type="text" placeholder="LL-20931">
    </div>
    <div class="field">
      <label for="topic">Topic</label>
      <select id="topic" name="topic">
        <option value="order">Order question</option>
        <option value="returns">Returns</option>
        <option value="wholesale">Wholesale</option>
        <option value="other">Something else</option>
      </select>
    </div>
    <div class="field">
      <label for="message">Message</label>
      <textarea id="message" name="message" rows="6" maxlength="2000" required></textarea>
      <span class="field__hint" data-message-count>0 / 2000</span>
    </div>
    <label class="checkbox"><input id="newsletter" name="newsletter" type="checkbox"> Send me the monthly letter as well</label>
    <button class="button" type="submit">Send message</button>
  </form>
  <div class="confirmation" data-contact-confirmation role="status" hidden>
    <h2>Message sent</h2>
    <p data-confirmation-text></p>
    <button class="link-button" type="button" data-contact-again>Write another message</button>
  </div>
</section>
<aside class="contact__aside">
  <h2>Other ways to reach us</h2>
  <dl>
    <dt>Telephone</dt><dd>+353 91 555 0142, weekdays 9:00–17:00</dd>
    <dt>Shop and workshop</dt><dd>Unit 4, Weavers’ Yard, Mill Lane, Galway</dd>
    <dt id="returns">Returns</dt><dd>Thirty days, free collection in Ireland and the UK. Mention your order number.</dd>
  </dl>
</aside>
</div>`,
  });
}
