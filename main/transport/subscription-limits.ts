/**
 * How many live subscriptions one page may hold, the same over IPC and the browser-mode host.
 *
 * A page that opens more streams than this is leaking them (or is hostile): each one keeps a
 * listener and its buffers in main, so past the cap it is refused rather than grown forever.
 * Subscriptions still being set up count too, or a burst of frames sent at once would all pass
 * the check before the first one is in place.
 */
export const MAX_SUBSCRIPTIONS_PER_PAGE = 1000;

export const TOO_MANY_SUBSCRIPTIONS_MESSAGE = 'This window has too many live subscriptions; reload it.';
