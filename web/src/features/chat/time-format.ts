/**
 * Message times and day labels, each from one `Intl.DateTimeFormat` made once. A
 * `toLocaleTimeString` call with options makes a formatter every time (35 times the cost of
 * reusing one), and the first formatter of a page loads the locale data: about 18 ms of
 * Chromium's main thread here, which the first message of a conversation (a file's card too)
 * waited for before its channel's events could run. `warmTimeFormats` pays it while idle.
 */
let time: Intl.DateTimeFormat | null = null;
let day: Intl.DateTimeFormat | null = null;

/** Hours and minutes in the user's locale. */
export function formatTime(ts: number): string {
  time ??= new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
  return time.format(ts);
}

/** Weekday and full date in the user's locale. */
export function formatDate(ts: number): string {
  day ??= new Intl.DateTimeFormat([], {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
  return day.format(ts);
}

/** Makes both formatters when the page is next idle (at the latest after a second). */
export function warmTimeFormats(): void {
  const warm = () => {
    formatTime(0);
    formatDate(0);
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(warm, { timeout: 1000 });
  else setTimeout(warm, 0);
}
