import type { Page } from 'playwright-core';

/**
 * The absolute addresses of the elements matching the CSS `selector` that link somewhere (href),
 * as the page resolves them. A plain evaluation, not `$$eval`: that installs Playwright's
 * injected script in every document, and on a crawl of 300 pages renderers then kept growing
 * (1.3 GB PSS and rising, against 0.8 GB for the same crawl read with evaluate).
 */
export async function pageLinks(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((css) => {
    const links: string[] = [];
    for (const element of Array.from(document.querySelectorAll(css))) {
      const href = element.getAttribute('href');
      if (href === null) continue;
      try {
        links.push(new URL(href, document.baseURI).href);
      } catch {
        // Not an address: nothing to follow.
      }
    }
    return links;
  }, selector);
}
