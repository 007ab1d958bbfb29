/** What to try, for the failures whose cause says what the reader can do about them. */
export const HINTS = {
  element: 'check the selector or text against the page (see the screenshot); if the page is only slow, give the step a longer timeout, such as timeout: 60s',
  slow: 'if the page is only slow, give the step a longer timeout, such as timeout: 60s',
  loading: 'check that the site is up; if it is only slow, give the step a longer timeout (timeout: 60s) or wait for less (waitUntil: domcontentloaded)',
  navigation: 'check the address, and that the site is up and can be reached from this machine',
  status: (status: number) => `check the address; if the page is meant to answer ${status}, add allowStatus: [${status}] to the step`,
};
