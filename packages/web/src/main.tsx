import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { logout, onSessionChange, openOrg, resume, sessionExpired } from "./api/client";
import { lazyScreen } from "./lazy";
import { navigate, usePath } from "./router";
import { AuthScreen, safeNext } from "./screens/auth";
import { Dashboard } from "./screens/dashboard";
import { Incidents } from "./screens/incidents";
import { MonitorDetails } from "./screens/monitor-details";
import { OrgSwitcher } from "./screens/org-switcher";
import { useSession } from "./session";
import "./styles.css";

// Status-page management is fetched on first use: the dashboard's first screen does not carry it.
const StatusPages = lazyScreen(() => import("./screens/status-pages").then((m) => m.StatusPagesScreen));
// The monitor form (and the sub-forms that join it) is fetched when first opened.
const MonitorForm = lazyScreen(() => import("./screens/monitor-form").then((m) => m.MonitorForm));
// Organisation and account screens: fetched when first shown.
const OrgScreen = lazyScreen(() => import("./screens/org").then((m) => m.OrgScreen));
const CreateOrg = lazyScreen(() => import("./screens/org").then((m) => m.CreateOrg));
const ApiKeys = lazyScreen(() => import("./screens/org-api-keys").then((m) => m.ApiKeys));
const AuditLog = lazyScreen(() => import("./screens/org-audit").then((m) => m.AuditLog));
const AcceptInvitation = lazyScreen(() => import("./screens/org-accept").then((m) => m.AcceptInvitation));
const Channels = lazyScreen(() => import("./screens/channels").then((m) => m.Channels));
const Account = lazyScreen(() => import("./screens/account").then((m) => m.Account));
const ForgotPassword = lazyScreen(() => import("./screens/account-recovery").then((m) => m.ForgotPassword));
const ResetPassword = lazyScreen(() => import("./screens/account-recovery").then((m) => m.ResetPassword));
/** Screens for signed-out visitors too (what the password-reset mail links to). */
const RECOVERY: Record<string, typeof ForgotPassword> = { "/forgot-password": ForgotPassword, "/reset-password": ResetPassword };

function Screen({ path }: { path: string }) {
  if (path === "/monitors/new") return <MonitorForm />;
  const edit = path.match(/^\/monitors\/([^/]+)\/edit$/);
  if (edit) return <MonitorForm id={decodeURIComponent(edit[1]!)} />;
  const details = path.match(/^\/monitors\/([^/]+)$/);
  if (details) return <MonitorDetails id={decodeURIComponent(details[1]!)} />;
  if (path === "/incidents") return <Incidents />;
  if (path === "/org") return <OrgScreen />;
  if (path === "/orgs/new") return <CreateOrg />;
  if (path === "/org/api-keys") return <ApiKeys />;
  if (path === "/org/audit") return <AuditLog />;
  if (path === "/invitations/accept") return <AcceptInvitation />;
  if (path === "/account") return <Account />;
  if (path === "/channels") return <Channels />;
  if (path === "/status-pages" || path.startsWith("/status-pages/")) return <StatusPages path={path} />;
  return <Dashboard />;
}

function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  useEffect(() => {
    const off = onSessionChange(setSignedIn);
    void resume().then((ok) => setSignedIn(ok));
    return () => void off();
  }, []);
  useEffect(() => {
    if (signedIn === true && (path === "/login" || path === "/register")) navigate(safeNext(new URLSearchParams(location.search).get("next")) ?? "/", true);
  }, [signedIn, path]);
  const me = useSession();
  useEffect(() => {
    if (signedIn) void openOrg();
  }, [signedIn]);

  if (signedIn === null) return <main class="centered"><p role="status">Loading…</p></main>;
  const Recovery = RECOVERY[path];
  if (Recovery) return <main class="centered"><Recovery /></main>;
  if (!signedIn) {
    if (path === "/login" || path === "/register") return <AuthScreen mode={path === "/register" ? "register" : "login"} next={safeNext(new URLSearchParams(location.search).get("next"))} />;
    const invited = path === "/invitations/accept";
    return (
      <AuthScreen
        mode={invited ? "register" : "login"}
        next={path === "/" ? undefined : path + location.search}
        notice={
          invited
            ? "Create an account or log in with the invited email address to accept the invitation."
            : sessionExpired()
              ? "Your session expired. Log in again to carry on where you were."
              : undefined
        }
      />
    );
  }
  return (
    <>
      <header class="top">
        <a class="brand" href="/">Uptime</a>
        <OrgSwitcher />
        <nav aria-label="Main">
          <a href="/" aria-current={path === "/" ? "page" : undefined}>Monitors</a>
          <a href="/incidents" aria-current={path === "/incidents" ? "page" : undefined}>Incidents</a>
          <a href="/channels" aria-current={path === "/channels" ? "page" : undefined}>Channels</a>
          <a href="/status-pages" aria-current={path.startsWith("/status-pages") ? "page" : undefined}>Status pages</a>
          <a href="/org" aria-current={path.startsWith("/org") ? "page" : undefined}>Organisation</a>
          <a href="/account" aria-current={path === "/account" ? "page" : undefined}>Account</a>
          <a href="/docs" data-external>API docs</a>
          <button type="button" class="link" onClick={() => void logout().then(() => navigate("/login"))}>Log out</button>
        </nav>
      </header>
      <main>
        <Screen key={me.orgId ?? "personal"} path={path} />
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
