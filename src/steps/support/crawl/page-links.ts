import type { Page } from 'playwright-core';

/** The absolute addresses of the elements matching `selector` that link somewhere (href), as the page resolves them. */
export async function pageLinks(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) =>
    elements.flatMap((element) => {
      const href = element.getAttribute('href');
      if (href === null) return [];
      try {
        return [new URL(href, document.baseURI).href];
      } catch {
        return [];
      }
    }),
  );
}
