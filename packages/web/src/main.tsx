import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { loadOrg, logout, onSessionChange, refresh } from "./api/client";
import { lazyScreen } from "./lazy";
import { navigate, usePath } from "./router";
import { AuthScreen } from "./screens/auth";
import { Dashboard } from "./screens/dashboard";
import { Incidents } from "./screens/incidents";
import { MonitorDetails } from "./screens/monitor-details";
import { MonitorForm } from "./screens/monitor-form";
import "./styles.css";

// Status-page management is fetched on first use: the dashboard's first screen does not carry it.
const StatusPages = lazyScreen(() => import("./screens/status-pages").then((m) => m.StatusPagesScreen));

function Screen({ path }: { path: string }) {
  if (path === "/monitors/new") return <MonitorForm />;
  const edit = path.match(/^\/monitors\/([^/]+)\/edit$/);
  if (edit) return <MonitorForm id={decodeURIComponent(edit[1]!)} />;
  const details = path.match(/^\/monitors\/([^/]+)$/);
  if (details) return <MonitorDetails id={decodeURIComponent(details[1]!)} />;
  if (path === "/incidents") return <Incidents />;
  if (path === "/status-pages" || path.startsWith("/status-pages/")) return <StatusPages path={path} />;
  return <Dashboard />;
}

function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  useEffect(() => {
    const off = onSessionChange(setSignedIn);
    void refresh().then((ok) => setSignedIn(ok));
    return () => void off();
  }, []);
  useEffect(() => {
    if (signedIn === true && (path === "/login" || path === "/register")) navigate("/", true);
  }, [signedIn, path]);
  useEffect(() => {
    if (signedIn) void loadOrg();
  }, [signedIn]);

  if (signedIn === null) return <main class="centered"><p role="status">Loading…</p></main>;
  if (!signedIn) return <AuthScreen mode={path === "/register" ? "register" : "login"} />;
  return (
    <>
      <header class="top">
        <a class="brand" href="/">Uptime</a>
        <nav aria-label="Main">
          <a href="/" aria-current={path === "/" ? "page" : undefined}>Monitors</a>
          <a href="/incidents" aria-current={path === "/incidents" ? "page" : undefined}>Incidents</a>
          <a href="/status-pages" aria-current={path.startsWith("/status-pages") ? "page" : undefined}>Status pages</a>
          <a href="/docs" data-external>API docs</a>
          <button type="button" class="link" onClick={() => void logout().then(() => navigate("/login"))}>Log out</button>
        </nav>
      </header>
      <main>
        <Screen path={path} />
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
