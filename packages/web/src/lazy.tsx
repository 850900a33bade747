import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Failed, Loading } from "./screens/status";

/** A screen whose code is fetched on first use, so the first screen's JavaScript does not grow with it. */
export function lazyScreen<P>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | null = null;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<FunctionComponent<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Screen) return;
      load().then(
        (s) => setScreen(() => (loaded = s)),
        () => setFailed(true),
      );
    }, []);
    if (failed) return <Failed message="Could not load this screen; reload the page to try again." />;
    return Screen ? <Screen {...(props as P & object)} /> : <Loading />;
  };
}
