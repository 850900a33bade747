import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type HttpBindings } from "@hono/node-server";
import { apiFunctions, apiRoutes, defaultRouteFunction, type ApiFunctionName } from "@uptime/functions/api/routes";
import { customDomainPath, isCustomHost } from "@uptime/functions/api/custom-domain";
import { apiLoaders } from "./functions";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { lambdaContext, LOCAL_ACCOUNT_ID } from "./lambda";
import { matchRoute } from "./match-route";
import { webResponse } from "./web";

/** What each API function module exports besides `handler`: its Hono app, routed on full paths. */
export interface FetchApp {
  fetch(request: Request, env?: unknown, executionCtx?: undefined): Response | Promise<Response>;
}

export interface ApiServerOptions<N extends string = ApiFunctionName> {
  /** 0 (default) picks a free port; binds 127.0.0.1 only. */
  port?: number;
  /** One line per request; defaults to console.log. */
  log?: (line: string) => void;
  /** A function that failed to load or threw past its app; defaults to console.error. */
  logError?: (message: string, err: unknown) => void;
  /** Defaults to apiRoutes / defaultRouteFunction / apiFunctions (tests inject their own). */
  routes?: Record<string, N>;
  defaultRoute?: N;
  loadApp?: (name: N) => Promise<FetchApp>;
  region?: string;
  /** A built web app (packages/web/dist) to serve on this origin for paths no API route matches. */
  webDir?: string;
  /** Local-only endpoints (not in the deployed API), e.g. "POST /local/ses/bounce", answered before any route. */
  localEndpoints?: Record<string, (req: Request) => Promise<Response>>;
}

export interface ApiServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** HTTP API payload quota. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

const loadFunctionApp = async (name: ApiFunctionName): Promise<FetchApp> => {
  const mod = (await apiLoaders[name]()) as { app?: FetchApp };
  if (!mod.app || typeof mod.app.fetch !== "function") throw new Error(`${apiFunctions[name].handler}: module exports no Hono \`app\``);
  return mod.app;
};

/**
 * The bindings hono/aws-lambda passes as `c.env`, so code using getConnInfo() or the route key
 * behaves as when deployed. The event carries no body; apps read it from the Request.
 */
function lambdaBindings(req: Request, url: URL, sourceIp: string, routeKey: string, pathParameters: Record<string, string>, fn: string, region: string) {
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  const requestContext: APIGatewayProxyEventV2["requestContext"] = {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: "local",
    domainName: url.host,
    domainPrefix: url.hostname.split(".")[0],
    http: { method: req.method, path: url.pathname, protocol: "HTTP/1.1", sourceIp, userAgent: req.headers.get("user-agent") ?? "" },
    requestId: randomUUID(),
    routeKey,
    stage: "$default",
    time: new Date().toISOString(),
    timeEpoch: Date.now(),
  };
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext,
    isBase64Encoded: false,
  };
  // API Gateway's integration timeout is 30 s.
  return { event, requestContext, lambdaContext: lambdaContext(fn, 30_000, region) };
}

const UNSUPPORTED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

/** Bodies worth compressing: text of any kind, JSON, JavaScript, SVG. */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|atom\+xml|rss\+xml)|image\/svg\+xml)/;
const MIN_COMPRESS_BYTES = 1024;

/**
 * gzip for clients that accept it, as CloudFront compresses in front of the deployed stack (its
 * "compress objects automatically" on the distribution), so local timings and Lighthouse see the
 * same bytes. Small bodies, already encoded ones and streams of unknown length are left alone.
 */
export async function compressed(req: Request, res: Response): Promise<Response> {
  const type = res.headers.get("content-type") ?? "";
  const accepts = /\bgzip\b/i.test(req.headers.get("accept-encoding") ?? "");
  if (!accepts || !res.body || res.status === 204 || res.status === 304 || res.headers.has("content-encoding") || !COMPRESSIBLE.test(type) || req.method === "HEAD") return res;
  // every local response is in memory already (a Lambda's is too)
  const body = Buffer.from(await res.arrayBuffer());
  const init = { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) };
  if (body.byteLength < MIN_COMPRESS_BYTES) return new Response(body, init);
  init.headers.set("content-encoding", "gzip");
  init.headers.delete("content-length");
  init.headers.append("vary", "Accept-Encoding");
  return new Response(gzipSync(body), init);
}

/** Serves the HTTP API locally: each request goes to the function app API Gateway would invoke. */
export async function startApiServer<N extends string = ApiFunctionName>(opts: ApiServerOptions<N> = {}): Promise<ApiServer> {
  const routes = (opts.routes ?? apiRoutes) as Record<string, N>;
  const defaultRoute = (opts.defaultRoute ?? defaultRouteFunction) as N;
  const loadApp = opts.loadApp ?? (loadFunctionApp as unknown as (name: N) => Promise<FetchApp>);
  const log = opts.log ?? ((line: string) => console.log(line));
  const logError = opts.logError ?? ((message: string, err: unknown) => console.error(message, err));
  const region = opts.region ?? "us-east-1";
  // Like a Lambda container, a function module is loaded on first use and reused after.
  const apps = new Map<N, Promise<FetchApp>>();
  const appFor = (name: N) => {
    let p = apps.get(name);
    if (!p) {
      p = loadApp(name);
      // A failed import is retried on the next request (after the developer fixes the file).
      p.catch(() => apps.delete(name));
      apps.set(name, p);
    }
    return p;
  };

  async function dispatch(req: Request, env: HttpBindings): Promise<Response> {
    const started = performance.now();
    const url = new URL(req.url);
    // Fetch's Request cannot carry these methods (it throws), and no route takes them: refused, as a gateway would.
    if (UNSUPPORTED_METHODS.has(req.method.toUpperCase())) {
      log(`[api] ${req.method} ${url.pathname} 405`);
      return Response.json({ message: "Method Not Allowed" }, { status: 405, headers: { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" } });
    }
    // What CloudFront does for a status page's custom domain (custom-domain.ts).
    if (isCustomHost(url.hostname)) {
      url.pathname = customDomainPath(url.hostname, url.pathname);
    }
    const local = opts.localEndpoints?.[`${req.method} ${url.pathname}`];
    if (local) {
      const res = await local(req).catch((err) => {
        logError(`[local] ${req.method} ${url.pathname} failed:`, err);
        return Response.json({ message: "Internal Server Error" }, { status: 500 });
      });
      log(`[local] ${req.method} ${url.pathname} ${res.status}`);
      return res;
    }
    const match = matchRoute(routes, req.method, url.pathname);
    const fn = match?.target ?? defaultRoute;
    let res: Response;
    if (!match && opts.webDir) {
      const page = await webResponse(opts.webDir, req.method, url.pathname);
      if (page) return page;
    }
    try {
      const app = await appFor(fn);
      const sourceIp = (env.incoming.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
      const headers = new Headers(req.headers);
      // API Gateway appends the caller's address to X-Forwarded-For and sets the proto/port.
      const xff = headers.get("x-forwarded-for");
      headers.set("x-forwarded-for", xff ? `${xff}, ${sourceIp}` : sourceIp);
      headers.set("x-forwarded-proto", "http");
      headers.set("x-forwarded-port", url.port || "80");
      // API Gateway reads the whole request before invoking the function, so an app that answers
      // early (e.g. 413 from a body limit) never races a client still uploading.
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      if (body && body.byteLength > API_GATEWAY_MAX_BODY_BYTES) {
        res = Response.json({ message: "Request Entity Too Large" }, { status: 413 });
        log(`[api] ${req.method} ${url.pathname} ${res.status} ${Math.round(performance.now() - started)}ms (rejected by the gateway)`);
        return res;
      }
      const forwarded = new Request(url, { method: req.method, headers, body: body?.byteLength ? body : undefined });
      res = await app.fetch(
        forwarded,
        lambdaBindings(forwarded, url, sourceIp, match?.routeKey ?? "$default", match?.pathParameters ?? {}, fn, region),
      );
    } catch (err) {
      logError(`[api] ${fn} failed:`, err);
      // What API Gateway answers when the integration fails.
      res = Response.json({ message: "Internal Server Error" }, { status: 500 });
    }
    log(`[api] ${req.method} ${url.pathname} ${res.status} ${Math.round(performance.now() - started)}ms (${fn})`);
    return res;
  }

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: async (req, env) => compressed(req, await dispatch(req, env as HttpBindings)), port: opts.port ?? 0, hostname: "127.0.0.1" }, () => {
      s.off("error", onError);
      resolve(s as Server);
    });
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new Error(`API server could not listen on 127.0.0.1:${opts.port ?? 0}: ${err.code ?? err.message} (another port: PORT)`));
    s.once("error", onError);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
