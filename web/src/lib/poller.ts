import { serverReachable } from '../api/session.js';

/**
 * Repeats `task` while the tab is visible: every `baseMs` after a success, backing off
 * exponentially (up to `maxMs`) after a failure. It pauses while the tab is hidden and runs
 * at once when the tab comes back or the server becomes reachable again.
 * `task` resolves false when there is nothing more to watch.
 */
export interface Poller {
  start(): void;
  stop(): void;
}

export function createPoller(task: () => Promise<boolean>, baseMs: number, maxMs: number): Poller {
  let delay = baseMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let active = false;
  let unsubscribe: (() => void) | undefined;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };

  async function run(): Promise<void> {
    timer = undefined;
    if (!active || running) return;
    // Hidden tabs do not poll; visibilitychange restarts the loop.
    if (document.hidden) return;
    running = true;
    let keepGoing = true;
    try {
      keepGoing = await task();
      delay = baseMs;
    } catch {
      delay = Math.min(delay * 2, maxMs);
    } finally {
      running = false;
    }
    if (!active) return;
    if (keepGoing) schedule(delay);
    else stop();
  }

  const runNow = () => {
    if (active && !document.hidden && !running) schedule(0);
  };

  function stop(): void {
    active = false;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', runNow);
    unsubscribe?.();
  }

  return {
    start() {
      if (active) return;
      active = true;
      delay = baseMs;
      document.addEventListener('visibilitychange', runNow);
      unsubscribe = serverReachable.subscribe((reachable) => reachable && runNow());
      runNow();
    },
    stop,
  };
}
