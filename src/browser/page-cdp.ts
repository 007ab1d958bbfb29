import type { CDPSession, Page } from 'playwright-core';

/**
 * One CDP session per page, shared by all of flow that talks to a page over CDP (blocking,
 * page metrics): each session costs an attach, which with two per page (one each) was about
 * 4 ms of CPU per page opened. It is never detached: closing the page ends it, and detaching
 * a live one costs two more round trips for nothing.
 */
const sessions = new WeakMap<Page, Promise<CDPSession>>();

export function pageCdpSession(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    sessions.set(page, session);
    // A page that closed while attaching has no session: the next caller is told so afresh.
    session.catch(() => sessions.delete(page));
  }
  return session;
}
