import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Failed, Loading } from "./status";

/**
 * A screen whose code is fetched the first time it is shown, so the first screen's JavaScript
 * does not grow with every settings page (preact/compat's lazy would cost more than this).
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyScreen(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      let live = true;
      load().then(
        (c) => {
          loaded = c;
          if (live) setComponent(() => c);
        },
        () => live && setFailed(true),
      );
      return () => void (live = false);
    }, []);
    if (failed) return <Failed message="Could not load this screen; reload the page to try again." />;
    return Component ? <Component {...props} /> : <Loading />;
  };
}
