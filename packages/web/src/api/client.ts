import createClient from "openapi-fetch";
import { applyOrg, chooseOrg, lastUsedAt, resetSession, session } from "../session";
import type { components, paths } from "./schema";

export type Monitor = components["schemas"]["Monitor"];
export type DashboardRow = components["schemas"]["Dashboard"]["monitors"][number];
export type Incident = components["schemas"]["Incident"];
export type CheckResult = components["schemas"]["CheckResult"];
export type Summary = components["schemas"]["Summary"];
export type User = components["schemas"]["User"];
export type ApiError = components["schemas"]["Error"]["error"];
export type FieldErrors = Record<string, string>;
export type MyOrg = components["schemas"]["MyOrganisation"];
export type InvitationPreview = components["schemas"]["InvitationPreview"];
export type Member = components["schemas"]["Member"];
export type Invitation = components["schemas"]["Invitation"];
export type ApiKey = components["schemas"]["ApiKey"];
export type AuditEntry = components["schemas"]["AuditEntry"];
export type CreateMonitor = paths["/v1/monitors"]["post"]["requestBody"]["content"]["application/json"];

/** Same origin: the API serves /v1/* next to the app (locally and behind CloudFront). */
export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

// In memory only: a reload gets a fresh one from the HttpOnly refresh cookie.
let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export const onSessionChange = (fn: (signedIn: boolean) => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

/**
 * Whether this browser had a session: the refresh cookie is HttpOnly, so without this hint (a
 * script-readable cookie holding nothing but "1") a signed-out visitor's every load would ask
 * /v1/auth/refresh and log its 401 in the console.
 */
const HAD_SESSION = "uptime_had_session";
const hint = {
  get: () => document.cookie.split("; ").includes(`${HAD_SESSION}=1`),
  set: (on: boolean) => {
    // as long as a refresh token can live (30 days); a stale hint costs one refresh, as before
    document.cookie = `${HAD_SESSION}=${on ? "1" : ""}; path=/; SameSite=Strict; max-age=${on ? 30 * 86_400 : 0}`;
  },
};

/** On load: the session the refresh cookie still holds, asked only if this browser had one. */
export const resume = (): Promise<boolean> => (hint.get() ? refresh() : Promise.resolve(false));

function setSession(token: string | null, expiresInSec = 0) {
  accessToken = token;
  hint.set(token !== null);
  clearTimeout(refreshTimer);
  if (!token) {
    lastSeen.clear();
    resetSession();
  }
  // Renew a minute before the access token expires, so a request rarely meets a 401; a hidden tab
  // waits until it is shown (no calls while hidden; a poll meeting a 401 refreshes anyway).
  if (token) refreshTimer = setTimeout(whenVisible(() => void refresh()), Math.max(10, expiresInSec - 60) * 1000);
  for (const fn of listeners) fn(token !== null);
}

function whenVisible(fn: () => void) {
  return () => {
    if (document.visibilityState === "visible") return fn();
    const onShow = () => {
      if (document.visibilityState !== "visible") return;
      document.removeEventListener("visibilitychange", onShow);
      fn();
    };
    document.addEventListener("visibilitychange", onShow);
  };
}

/**
 * The last 200 of each GET that carried an ETag, by URL: the request asks If-None-Match, and a 304
 * hands the screen the very same object again, so it keeps its data and skips re-rendering.
 */
const lastSeen = new Map<string, { etag: string; data: unknown }>();
const LAST_SEEN_MAX = 50;

api.use({
  onRequest({ request }) {
    if (accessToken) request.headers.set("authorization", `Bearer ${accessToken}`);
    const orgId = session().orgId;
    if (orgId) request.headers.set("x-org-id", orgId);
    const seen = request.method === "GET" ? lastSeen.get(request.url) : undefined;
    if (seen) request.headers.set("if-none-match", seen.etag);
    return request;
  },
});

function remember<T>(out: Outcome<T>): Outcome<T> {
  const { response } = out;
  if (response.status === 304) {
    const seen = lastSeen.get(response.url);
    return seen ? { data: seen.data as T, response } : out;
  }
  const etag = response.headers.get("etag");
  if (etag && out.data !== undefined) {
    lastSeen.delete(response.url);
    lastSeen.set(response.url, { etag, data: out.data });
    if (lastSeen.size > LAST_SEEN_MAX) lastSeen.delete(lastSeen.keys().next().value!);
  }
  return out;
}

/** Whether the last session ended by itself (not by "Log out"): the login screen says so. */
let expired = false;
export const sessionExpired = () => expired;

/** One refresh at a time: the refresh token rotates, so two concurrent ones would race. */
export function refresh(): Promise<boolean> {
  refreshing ??= api
    .POST("/v1/auth/refresh", { body: {} })
    .then(({ data }) => {
      // A session this browser had (in memory, or remembered by the hint) ran out.
      if (!data && (accessToken !== null || hint.get())) expired = true;
      setSession(data?.accessToken ?? null, data?.expiresIn);
      return !!data;
    })
    .catch(() => false)
    .finally(() => (refreshing = null));
  return refreshing;
}

export async function login(email: string, password: string) {
  const { data, error } = await api.POST("/v1/auth/login", { body: { email, password } });
  if (data) {
    expired = false;
    setSession(data.accessToken, data.expiresIn);
  }
  return error;
}

export async function register(email: string, password: string, name?: string) {
  const { error } = await api.POST("/v1/auth/register", { body: { email, password, ...(name ? { name } : {}) } });
  if (error) return error;
  return login(email, password);
}

export async function logout() {
  await api.POST("/v1/auth/logout", { body: {} }).catch(() => undefined);
  setSession(null);
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** Runs a call, and once more after a silent refresh if the access token had expired; a 304 gives the data last seen. */
export async function authed<T>(call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const first = await call();
  if (first.response.status !== 401) return remember(first);
  if (!(await refresh())) {
    setSession(null);
    return first;
  }
  return remember(await call());
}

/**
 * The organisation the app acts in, with the caller's role and permissions. An organisation that is
 * gone, or that the caller left or was removed from, answers 403/404: the app falls back to the
 * personal one.
 */
export async function loadOrg(): Promise<void> {
  const { data, response } = await authed(() => api.GET("/v1/org"));
  if (data) return applyOrg(data);
  if (session().orgId && (response.status === 403 || response.status === 404)) {
    chooseOrg(null);
    return loadOrg();
  }
}

/** The caller's organisations; calls made while one is under way share it. */
let mine: Promise<MyOrg[] | null> | null = null;
export function myOrgs(): Promise<MyOrg[] | null> {
  mine ??= authed(() => api.GET("/v1/orgs"))
    .then(({ data }) => data?.data ?? null)
    .finally(() => (mine = null));
  return mine;
}

/**
 * At sign-in: the organisation joined most recently, if that was after this browser last acted in
 * one (an invited member lands in the team they joined, not in an empty personal organisation);
 * otherwise the one used last. Then its role and permissions.
 */
export async function openOrg(): Promise<void> {
  const linkedByMail = new URLSearchParams(location.search).has("org");
  const orgs = linkedByMail ? null : await myOrgs();
  const newest = orgs?.reduce<MyOrg | null>((a, o) => (!a || o.joinedAt > a.joinedAt ? o : a), null);
  if (newest && Date.parse(newest.joinedAt) > lastUsedAt()) chooseOrg(newest.personal ? null : newest.id);
  return loadOrg();
}

/** Ends the session in this tab (after the account is gone, or its password reset elsewhere). */
export const signOut = () => setSession(null);

export function errorOf(error: unknown): ApiError | undefined {
  return (error as { error?: ApiError } | undefined)?.error;
}

/** The API's 400 details (`path` like "expectedStatus.0"), keyed by the top-level field. */
export function fieldErrors(error: unknown): FieldErrors {
  const details = errorOf(error)?.details;
  const out: FieldErrors = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as Array<{ path?: string; message?: string }>) {
    const field = String(d.path ?? "").split(".")[0] || "_";
    out[field] ??= d.message ?? "Invalid";
  }
  return out;
}

/**
 * A refused request in one sentence for the place the user looks: the API's message, and for a
 * 429 when to try again (from Retry-After, unless the message says it already).
 */
export function refusal(error: unknown, response: Response, what: string): string {
  const why = errorOf(error)?.message;
  const wait = response.headers.get("retry-after");
  const text = why ? `${what}: ${why}` : `${what} (HTTP ${response.status})`;
  const ended = /[.!?]$/.test(text) ? text : `${text}.`;
  return response.status === 429 && wait && !/try again/i.test(ended) ? `${ended} Try again in ${wait} s.` : ended;
}
