import type { CDPSession, Page } from 'playwright-core';
import type { PageMetrics } from './types.js';

const sessions = new WeakMap<Page, Promise<CDPSession>>();
const ids = new WeakMap<Page, string>();
let nextId = 0;

export function pageId(page: Page): string {
  let id = ids.get(page);
  if (!id) ids.set(page, (id = `page-${++nextId}`));
  return id;
}

function metricsSession(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .then(async (cdp) => {
        await cdp.send('Performance.enable');
        page.once('close', () => cdp.detach().catch(() => undefined));
        return cdp;
      });
    sessions.set(page, session);
    session.catch(() => sessions.delete(page));
  }
  return session;
}

/**
 * JS heap, DOM nodes, event listeners, documents and frames of a page's renderer
 * (`Performance.getMetrics`). Undefined when the page closed meanwhile.
 */
export async function pageMetrics(page: Page): Promise<PageMetrics | undefined> {
  if (page.isClosed()) return undefined;
  try {
    const cdp = await metricsSession(page);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return {
      pageId: pageId(page),
      url: page.url(),
      jsHeapUsedMb: value('JSHeapUsedSize') / 1048576,
      jsHeapTotalMb: value('JSHeapTotalSize') / 1048576,
      nodes: value('Nodes'),
      listeners: value('JSEventListeners'),
      documents: value('Documents'),
      frames: value('Frames'),
      layoutObjects: value('LayoutObjects'),
    };
  } catch {
    return undefined;
  }
}
