import { setTimeout as sleep } from 'node:timers/promises';

/** A small web site: page path -> text and links. */
export const PAGES = {
  '/': { text: 'Welcome to the shop. Browse products, read our blog or contact support.', links: ['/products', '/blog', '/support'] },
  '/products': { text: 'Keyboards, mice and monitors.', links: ['/products/keyboards', '/products/monitors', '/'] },
  '/products/keyboards': { text: 'Mechanical keyboards with a two-year warranty.', links: ['/products'] },
  '/products/monitors': { text: '27-inch and 32-inch monitors.', links: ['/products'] },
  '/blog': { text: 'News and guides.', links: ['/blog/setup-guide', '/'] },
  '/blog/setup-guide': { text: 'How to set up your new desk.', links: ['/blog', '/products/monitors'] },
  '/support': { text: 'Help center: shipping, returns and contact.', links: ['/support/returns', '/support/contact', '/'] },
  '/support/returns': { text: 'Returns are accepted within 30 days. A refund is issued within 5 business days.', links: ['/support'] },
  '/support/contact': { text: 'Call us Monday to Friday. Opening hours: 9:00 to 17:00.', links: ['/support'] },
};

/**
 * Fetches a page (the agent's tool). Async, like a real HTTP call.
 * @param {string} path
 * @returns {Promise<{ text: string, links: string[] } | undefined>}
 */
export async function fetchPage(path) {
  await sleep(1);
  return PAGES[path];
}
