/*
 * Loom & Lantern — site behaviour.
 * Catalogue and product pages work without this file; it adds the basket, the gallery, sorting
 * and filtering, "recently viewed", search, and handles the forms (the shop has no server side:
 * the session lives in a cookie and localStorage, messages are confirmed in the page).
 */
(function () {
  'use strict';

  /* Helpers -------------------------------------------------------------- */

  var $ = function (selector, root) {
    return (root || document).querySelector(selector);
  };
  var $$ = function (selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  };

  var money = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

  function formatPrice(value) {
    return money.format(Number(value));
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (char) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[char];
    });
  }

  function debounce(fn, wait) {
    var timer;
    return function () {
      var args = arguments;
      var self = this;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fn.apply(self, args);
      }, wait);
    };
  }

  function relativeTime(timestamp) {
    var seconds = Math.round((Date.now() - timestamp) / 1000);
    if (seconds < 45) return 'just now';
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes === 1 ? 'a minute ago' : minutes + ' minutes ago';
    var hours = Math.round(minutes / 60);
    if (hours < 24) return hours === 1 ? 'an hour ago' : hours + ' hours ago';
    var days = Math.round(hours / 24);
    return days === 1 ? 'yesterday' : days + ' days ago';
  }

  function pluralise(count, one, many) {
    return count + ' ' + (count === 1 ? one : many);
  }

  /** localStorage that survives private mode, quota errors and corrupt JSON. */
  var store = {
    read: function (key, fallback) {
      try {
        var raw = window.localStorage.getItem(key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (error) {
        return fallback;
      }
    },
    write: function (key, value) {
      try {
        window.localStorage.setItem(key, JSON.stringify(value));
        return true;
      } catch (error) {
        return false;
      }
    },
    remove: function (key) {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        /* storage unavailable: nothing to remove */
      }
    },
  };

  var cookies = {
    get: function (name) {
      var match = document.cookie.split('; ').filter(function (pair) {
        return pair.indexOf(name + '=') === 0;
      })[0];
      return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
    },
    set: function (name, value, days) {
      document.cookie = name + '=' + encodeURIComponent(value) + '; path=/; max-age=' + days * 86400 + '; SameSite=Lax';
    },
    remove: function (name) {
      document.cookie = name + '=; path=/; max-age=0; SameSite=Lax';
    },
  };

  /** A tiny publish/subscribe bus so widgets update each other without knowing each other. */
  var bus = (function () {
    var handlers = {};
    return {
      on: function (event, handler) {
        (handlers[event] = handlers[event] || []).push(handler);
      },
      emit: function (event, detail) {
        (handlers[event] || []).forEach(function (handler) {
          handler(detail);
        });
      },
    };
  })();

  /* Analytics: events are queued in sessionStorage; the demo shop sends nothing anywhere. */

  var ANALYTICS_KEY = 'll:events';
  var ANALYTICS_LIMIT = 50;

  function track(name, data) {
    try {
      var queue = JSON.parse(window.sessionStorage.getItem(ANALYTICS_KEY) || '[]');
      queue.push({ name: name, data: data || {}, path: location.pathname, at: Date.now() });
      window.sessionStorage.setItem(ANALYTICS_KEY, JSON.stringify(queue.slice(-ANALYTICS_LIMIT)));
    } catch (error) {
      /* sessionStorage unavailable: drop the event */
    }
  }

  /* Toast ---------------------------------------------------------------- */

  var toastTimer;

  function toast(message) {
    var existing = $('.toast');
    if (existing) existing.remove();
    var element = document.createElement('div');
    element.className = 'toast';
    element.setAttribute('role', 'status');
    element.textContent = message;
    document.body.appendChild(element);
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      element.remove();
    }, 2600);
  }

  /* Session -------------------------------------------------------------- */

  var SESSION_COOKIE = 'll_session';
  var SESSION_KEY = 'll:session';

  var session = {
    user: function () {
      var fromCookie = cookies.get(SESSION_COOKIE);
      if (fromCookie) return fromCookie;
      var saved = store.read(SESSION_KEY, null);
      return saved && saved.user ? saved.user : null;
    },
    signIn: function (user) {
      cookies.set(SESSION_COOKIE, user, 30);
      store.write(SESSION_KEY, { user: user, signedInAt: Date.now() });
      track('sign-in', { user: user });
    },
    signOut: function () {
      cookies.remove(SESSION_COOKIE);
      store.remove(SESSION_KEY);
      track('sign-out');
    },
  };

  /* Header --------------------------------------------------------------- */

  function initHeader() {
    var toggle = $('.nav-toggle');
    var nav = $('#site-nav');
    if (toggle && nav) {
      toggle.addEventListener('click', function () {
        var open = toggle.getAttribute('aria-expanded') !== 'true';
        toggle.setAttribute('aria-expanded', String(open));
        nav.classList.toggle('is-open', open);
      });
    }
    var greeting = $('[data-session-greeting]');
    var user = session.user();
    if (greeting && user) {
      greeting.textContent = 'Hi, ' + user;
      greeting.hidden = false;
    }
  }

  /* Basket --------------------------------------------------------------- */

  var CART_KEY = 'll:cart';

  var cart = {
    lines: function () {
      return store.read(CART_KEY, []);
    },
    save: function (lines) {
      store.write(CART_KEY, lines);
      bus.emit('cart:changed', lines);
    },
    add: function (item, quantity) {
      var lines = cart.lines();
      var existing = lines.filter(function (line) {
        return line.sku === item.sku;
      })[0];
      if (existing) existing.quantity = Math.min(existing.quantity + quantity, 20);
      else lines.push({ sku: item.sku, name: item.name, price: item.price, url: item.url, thumbnail: item.thumbnail, quantity: quantity });
      cart.save(lines);
      track('add-to-cart', { sku: item.sku, quantity: quantity });
    },
    setQuantity: function (sku, quantity) {
      var lines = cart
        .lines()
        .map(function (line) {
          return line.sku === sku ? Object.assign({}, line, { quantity: quantity }) : line;
        })
        .filter(function (line) {
          return line.quantity > 0;
        });
      cart.save(lines);
    },
    count: function (lines) {
      return lines.reduce(function (sum, line) {
        return sum + line.quantity;
      }, 0);
    },
    total: function (lines) {
      return lines.reduce(function (sum, line) {
        return sum + Number(line.price) * line.quantity;
      }, 0);
    },
  };

  function renderCartCount(lines) {
    $$('[data-cart-count]').forEach(function (badge) {
      badge.textContent = String(cart.count(lines));
      badge.classList.remove('is-bumped');
      // Restart the animation: reading offsetWidth forces a reflow between the class changes.
      void badge.offsetWidth;
      badge.classList.add('is-bumped');
    });
  }

  function renderCartDrawer(lines) {
    var list = $('[data-cart-lines]');
    var total = $('[data-cart-total]');
    if (!list || !total) return;
    if (lines.length === 0) {
      list.innerHTML = '<li class="empty-state">Your basket is empty.</li>';
    } else {
      list.innerHTML = lines
        .map(function (line) {
          return (
            '<li class="cart-line" data-sku="' + escapeHtml(line.sku) + '">' +
            '<img src="' + escapeHtml(line.thumbnail) + '" alt="" width="64" height="64">' +
            '<div><p class="cart-line__name"><a href="' + escapeHtml(line.url) + '">' + escapeHtml(line.name) + '</a></p>' +
            '<span class="cart-line__amount">' + line.quantity + ' × ' + formatPrice(line.price) + '</span></div>' +
            '<button class="link-button" type="button" data-cart-remove="' + escapeHtml(line.sku) + '">Remove</button>' +
            '</li>'
          );
        })
        .join('');
    }
    total.textContent = formatPrice(cart.total(lines));
  }

  function initCart() {
    var drawer = $('#cart');
    var backdrop;

    function openDrawer() {
      if (!drawer) return;
      renderCartDrawer(cart.lines());
      drawer.hidden = false;
      backdrop = document.createElement('div');
      backdrop.className = 'cart-backdrop';
      backdrop.addEventListener('click', closeDrawer);
      document.body.appendChild(backdrop);
      var close = $('[data-cart-close]', drawer);
      if (close) close.focus();
      track('open-cart');
    }

    function closeDrawer() {
      if (!drawer || drawer.hidden) return;
      drawer.hidden = true;
      if (backdrop) backdrop.remove();
      var toggle = $('[data-cart-toggle]');
      if (toggle) toggle.focus();
    }

    $$('[data-cart-toggle]').forEach(function (link) {
      link.addEventListener('click', function (event) {
        event.preventDefault();
        openDrawer();
      });
    });
    if (drawer) {
      drawer.addEventListener('click', function (event) {
        var remove = event.target.closest('[data-cart-remove]');
        if (remove) cart.setQuantity(remove.getAttribute('data-cart-remove'), 0);
        if (event.target.closest('[data-cart-close]')) closeDrawer();
      });
    }
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') closeDrawer();
    });
    // Another tab changed the basket: follow it.
    window.addEventListener('storage', function (event) {
      if (event.key === CART_KEY) bus.emit('cart:changed', cart.lines());
    });
    bus.on('cart:changed', renderCartCount);
    bus.on('cart:changed', renderCartDrawer);
    $$('[data-cart-count]').forEach(function (badge) {
      badge.textContent = String(cart.count(cart.lines()));
    });
  }

  /* Product page --------------------------------------------------------- */

  function currentProduct() {
    var element = $('.product[data-sku]');
    if (!element) return null;
    return {
      sku: element.getAttribute('data-sku'),
      name: element.getAttribute('data-name'),
      price: element.getAttribute('data-price'),
      thumbnail: element.getAttribute('data-thumbnail'),
      url: location.pathname,
      inStock: element.getAttribute('data-in-stock') === 'true',
    };
  }

  function initGallery() {
    var main = $('.product-image');
    var buttons = $$('.gallery button');
    if (!main) return;
    var original = main.getAttribute('src');

    function show(index) {
      buttons.forEach(function (button, i) {
        button.setAttribute('aria-pressed', String(i === index));
      });
      main.setAttribute('src', index < 0 ? original : buttons[index].getAttribute('data-src'));
    }

    buttons.forEach(function (button, index) {
      button.addEventListener('click', function () {
        var pressed = button.getAttribute('aria-pressed') === 'true';
        show(pressed ? -1 : index);
        track('gallery', { index: index });
      });
    });

    main.addEventListener('click', function () {
      openLightbox(main.getAttribute('src'), main.getAttribute('alt'));
    });
    main.addEventListener('keydown', function (event) {
      if (!buttons.length) return;
      var current = buttons.findIndex(function (button) {
        return button.getAttribute('aria-pressed') === 'true';
      });
      if (event.key === 'ArrowRight') show((current + 1) % buttons.length);
      if (event.key === 'ArrowLeft') show(current <= 0 ? buttons.length - 1 : current - 1);
    });
  }

  function openLightbox(src, alt) {
    var overlay = document.createElement('div');
    overlay.className = 'lightbox';
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', alt || 'Picture');
    overlay.innerHTML =
      '<button class="lightbox__close" type="button">Close</button>' +
      '<img src="' + escapeHtml(src) + '" alt="' + escapeHtml(alt || '') + '">';

    function close() {
      overlay.remove();
      document.removeEventListener('keydown', onKey);
    }
    function onKey(event) {
      if (event.key === 'Escape') close();
    }

    overlay.addEventListener('click', function (event) {
      if (event.target === overlay || event.target.closest('.lightbox__close')) close();
    });
    document.addEventListener('keydown', onKey);
    document.body.appendChild(overlay);
    $('.lightbox__close', overlay).focus();
  }

  function initBuyBox(product) {
    var form = $('[data-buy-box]');
    var input = form && $('input[name="quantity"]', form);
    // Sold-out products have no quantity field and a disabled button: nothing to wire up.
    if (!input || !product.inStock) return;

    function clamp(value) {
      var number = parseInt(value, 10);
      if (isNaN(number)) return 1;
      return Math.max(1, Math.min(20, number));
    }

    $$('[data-step]', form).forEach(function (button) {
      button.addEventListener('click', function () {
        input.value = String(clamp(Number(input.value) + Number(button.getAttribute('data-step'))));
      });
    });
    input.addEventListener('change', function () {
      input.value = String(clamp(input.value));
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var quantity = clamp(input.value);
      cart.add(product, quantity);
      toast('Added ' + pluralise(quantity, 'item', 'items') + ' to your basket');
    });
  }

  /* Recently viewed ------------------------------------------------------ */

  var RECENT_KEY = 'll:recently-viewed';
  var RECENT_LIMIT = 8;

  function rememberProduct(product) {
    var recent = store.read(RECENT_KEY, []).filter(function (item) {
      return item.sku !== product.sku;
    });
    recent.unshift({ sku: product.sku, name: product.name, url: product.url, price: product.price, thumbnail: product.thumbnail, viewedAt: Date.now() });
    store.write(RECENT_KEY, recent.slice(0, RECENT_LIMIT));
  }

  function renderRecentlyViewed(excludeSku) {
    var widget = $('[data-recently-viewed]');
    if (!widget) return;
    var items = store.read(RECENT_KEY, []).filter(function (item) {
      return item.sku !== excludeSku;
    });
    var list = $('.recently-viewed__list', widget);
    if (items.length === 0 || !list) {
      widget.hidden = true;
      return;
    }
    list.innerHTML = items
      .slice(0, 4)
      .map(function (item) {
        return (
          '<li class="recently-viewed__item"><a href="' + escapeHtml(item.url) + '">' +
          '<img src="' + escapeHtml(item.thumbnail) + '" alt="" width="180" height="180">' +
          '<span class="recently-viewed__name">' + escapeHtml(item.name) + '</span>' +
          '<span class="recently-viewed__when">' + formatPrice(item.price) + ' · viewed ' + relativeTime(item.viewedAt) + '</span>' +
          '</a></li>'
        );
      })
      .join('');
    widget.hidden = false;
    var clear = $('[data-recent-clear]', widget);
    if (clear) {
      clear.onclick = function () {
        store.remove(RECENT_KEY);
        widget.hidden = true;
      };
    }
  }

  /* Catalogue: sort and filter the cards of the current page ------------- */

  function initCatalogue() {
    var grid = $('.product-grid');
    if (!grid) return;
    var cards = $$('.product-card', grid);
    var sort = $('#sort');
    var stockOnly = $('#in-stock-only');
    var categoryBoxes = $$('input[name="category"]');
    var count = $('[data-visible-count]');

    function byName(card) {
      return $('.product-name', card).textContent.trim();
    }

    var orders = {
      featured: function (a, b) {
        return cards.indexOf(a) - cards.indexOf(b);
      },
      'price-asc': function (a, b) {
        return Number(a.getAttribute('data-price')) - Number(b.getAttribute('data-price'));
      },
      'price-desc': function (a, b) {
        return Number(b.getAttribute('data-price')) - Number(a.getAttribute('data-price'));
      },
      name: function (a, b) {
        return byName(a).localeCompare(byName(b));
      },
    };

    function apply() {
      var categories = categoryBoxes
        .filter(function (box) {
          return box.checked;
        })
        .map(function (box) {
          return box.value;
        });
      var visible = 0;
      cards.forEach(function (card) {
        var show =
          (categories.length === 0 || categories.indexOf(card.getAttribute('data-category')) !== -1) &&
          (!stockOnly || !stockOnly.checked || card.getAttribute('data-in-stock') === 'true');
        card.hidden = !show;
        if (show) visible++;
      });
      var order = orders[sort ? sort.value : 'featured'] || orders.featured;
      cards
        .slice()
        .sort(order)
        .forEach(function (card) {
          grid.appendChild(card);
        });
      if (count) count.textContent = pluralise(visible, 'product', 'products') + ' shown on this page';
      var empty = $('[data-empty]');
      if (empty) empty.hidden = visible !== 0;
    }

    if (sort) {
      sort.addEventListener('change', function () {
        apply();
        track('sort', { by: sort.value });
      });
    }
    if (stockOnly) stockOnly.addEventListener('change', apply);
    categoryBoxes.forEach(function (box) {
      box.addEventListener('change', apply);
    });
    var reset = $('[data-filters-reset]');
    if (reset) {
      reset.addEventListener('click', function () {
        categoryBoxes.forEach(function (box) {
          box.checked = false;
        });
        if (stockOnly) stockOnly.checked = false;
        if (sort) sort.value = 'featured';
        apply();
      });
    }
  }

  /* Search --------------------------------------------------------------- */

  function searchIndex() {
    var element = $('#search-index');
    if (!element) return [];
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return [];
    }
  }

  function score(item, words) {
    var haystack = (item.name + ' ' + item.category + ' ' + item.tags.join(' ')).toLowerCase();
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var at = haystack.indexOf(words[i]);
      if (at === -1) return 0;
      total += at < item.name.length ? 3 : 1;
    }
    return total;
  }

  function highlight(text, words) {
    var escaped = escapeHtml(text);
    words.forEach(function (word) {
      if (!word) return;
      var pattern = new RegExp('(' + word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ')', 'ig');
      escaped = escaped.replace(pattern, '<mark>$1</mark>');
    });
    return escaped;
  }

  function initSearch() {
    var results = $('.search-results');
    if (!results) return;
    var params = new URLSearchParams(location.search);
    var query = (params.get('q') || '').trim();
    var max = parseFloat(params.get('max') || '');
    var queryInput = $('#search-q');
    var maxInput = $('#search-max');
    if (queryInput) queryInput.value = query;
    if (maxInput && !isNaN(max)) maxInput.value = String(max);
    var summary = $('[data-search-summary]');
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);

    if (words.length === 0) {
      summary.textContent = 'Type a word above: a material, a colour, a kind of thing.';
      return;
    }
    var matches = searchIndex()
      .map(function (item) {
        return { item: item, score: score(item, words) };
      })
      .filter(function (match) {
        return match.score > 0 && (isNaN(max) || Number(match.item.price) <= max);
      })
      .sort(function (a, b) {
        return b.score - a.score || a.item.name.localeCompare(b.item.name);
      });

    summary.textContent =
      pluralise(matches.length, 'result', 'results') + ' for “' + query + '”' + (isNaN(max) ? '' : ' up to ' + formatPrice(max));
    results.innerHTML = matches
      .map(function (match) {
        var item = match.item;
        return (
          '<li class="search-result" data-sku="' + escapeHtml(item.sku) + '"><a href="' + escapeHtml(item.url) + '">' +
          '<img src="' + escapeHtml(item.thumbnail) + '" alt="" width="72" height="72">' +
          '<span><span class="search-result__name">' + highlight(item.name, words) + '</span><br>' +
          '<span class="text-muted text-sm">' + escapeHtml(item.category) + (item.inStock ? '' : ' · Out of stock') + '</span></span>' +
          '<span class="search-result__price">' + formatPrice(item.price) + '</span>' +
          '</a></li>'
        );
      })
      .join('');
    track('search', { query: query, results: matches.length });
  }

  /* Forms ---------------------------------------------------------------- */

  function fieldError(input, message) {
    var field = input.closest('.field');
    if (!field) return;
    var error = $('.field__error', field);
    field.classList.toggle('has-error', Boolean(message));
    if (!error && message) {
      error = document.createElement('p');
      error.className = 'field__error';
      error.id = input.id + '-error';
      field.appendChild(error);
    }
    if (error) {
      error.textContent = message || '';
      error.hidden = !message;
    }
    if (message) input.setAttribute('aria-describedby', input.id + '-error');
    else input.removeAttribute('aria-describedby');
  }

  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function initLogin() {
    var form = $('#login-form');
    if (!form) return;
    var message = $('.form-error', form);
    var existing = session.user();
    var notice = $('[data-already-signed-in]');
    if (existing && notice) {
      notice.textContent = 'You are signed in as ' + existing + '. Signing in again replaces that session.';
      notice.hidden = false;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var username = form.elements.username.value.trim();
      var password = form.elements.password.value;
      if (!username || !password) {
        message.textContent = 'Enter your username and your password.';
        message.hidden = false;
        (username ? form.elements.password : form.elements.username).focus();
        return;
      }
      message.hidden = true;
      session.signIn(username);
      location.assign('/forms/account.html');
    });
  }

  function initAccount() {
    var signedIn = $('[data-signed-in]');
    var signedOut = $('[data-signed-out]');
    if (!signedIn || !signedOut) return;
    var user = session.user();
    signedIn.hidden = !user;
    signedOut.hidden = Boolean(user);
    if (user) $('.welcome', signedIn).textContent = 'Welcome, ' + user;
    var signOut = $('[data-sign-out]');
    if (signOut) {
      signOut.addEventListener('click', function () {
        session.signOut();
        signedIn.hidden = true;
        signedOut.hidden = false;
        var greeting = $('[data-session-greeting]');
        if (greeting) greeting.hidden = true;
      });
    }
  }

  function initContact() {
    var form = $('#contact-form');
    if (!form) return;
    var confirmation = $('[data-contact-confirmation]');
    var checks = [
      ['name', function (value) {
        return value ? '' : 'Tell us your name.';
      }],
      ['email', function (value) {
        return EMAIL.test(value) ? '' : 'Enter an email address like name@example.com.';
      }],
      ['message', function (value) {
        return value.length >= 10 ? '' : 'Write a message of at least 10 characters.';
      }],
    ];

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var firstInvalid = null;
      checks.forEach(function (check) {
        var input = form.elements[check[0]];
        var problem = check[1](input.value.trim());
        fieldError(input, problem);
        if (problem && !firstInvalid) firstInvalid = input;
      });
      if (firstInvalid) {
        firstInvalid.focus();
        return;
      }
      var topic = form.elements.topic;
      var name = form.elements.name.value.trim();
      var email = form.elements.email.value.trim();
      var subscribed = form.elements.newsletter.checked;
      $('[data-confirmation-text]', confirmation).textContent =
        'Thank you, ' + name + '. We will answer your ' + topic.options[topic.selectedIndex].text.toLowerCase() +
        ' message at ' + email + ' within two working days.' + (subscribed ? ' You are on the newsletter list too.' : '');
      form.hidden = true;
      confirmation.hidden = false;
      track('contact', { topic: topic.value, newsletter: subscribed });
    });

    var again = $('[data-contact-again]');
    if (again) {
      again.addEventListener('click', function () {
        form.reset();
        confirmation.hidden = true;
        form.hidden = false;
        form.elements.name.focus();
      });
    }

    var textarea = form.elements.message;
    var counter = $('[data-message-count]');
    if (textarea && counter) {
      textarea.addEventListener(
        'input',
        debounce(function () {
          counter.textContent = textarea.value.length + ' / 2000';
        }, 80)
      );
    }
  }

  function initNewsletter() {
    $$('.newsletter').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var input = $('input[type="email"]', form);
        var message = form.parentNode.querySelector('.newsletter__message');
        if (!EMAIL.test(input.value.trim())) {
          message.textContent = 'That email address does not look right.';
        } else {
          message.textContent = 'Thanks — the next letter goes to ' + input.value.trim() + '.';
          form.reset();
          track('newsletter');
        }
        message.hidden = false;
      });
    });
  }

  /* Start ---------------------------------------------------------------- */

  function start() {
    initHeader();
    initCart();
    var product = currentProduct();
    if (product) {
      initGallery();
      initBuyBox(product);
      renderRecentlyViewed(product.sku);
      rememberProduct(product);
      track('view-product', { sku: product.sku });
    } else {
      renderRecentlyViewed(null);
      track('view-page');
    }
    initCatalogue();
    initSearch();
    initLogin();
    initAccount();
    initContact();
    initNewsletter();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
