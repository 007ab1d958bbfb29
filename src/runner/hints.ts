/** What to try, for the failures whose cause says what the reader can do about them. */
export const HINTS = {
  element: 'check the selector or text against the page (see the screenshot); if the page is only slow, give the step a longer timeout, such as timeout: 60s',
  slow: 'if the page is only slow, give the step a longer timeout, such as timeout: 60s',
  navigation: 'check the address, and that the site is up and can be reached from this machine',
};
