import { useEffect, useRef } from "preact/hooks";

/** Tests shorten the interval with `window.__UPTIME_POLL_MS__`. */
export const POLL_MS = (globalThis as { __UPTIME_POLL_MS__?: number }).__UPTIME_POLL_MS__ ?? 30_000;

/** Calls `load` now and every POLL_MS while the tab is visible (and at once when it becomes visible again). */
export function usePoll(load: () => Promise<unknown> | void, deps: unknown[]) {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const run = async () => {
      clearTimeout(timer);
      if (document.visibilityState === "visible") await Promise.resolve(latest.current()).catch(() => undefined);
      if (!stopped && document.visibilityState === "visible") timer = setTimeout(run, POLL_MS);
    };
    const onVisible = () => document.visibilityState === "visible" && void run();
    void run();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, deps);
}
