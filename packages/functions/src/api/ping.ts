import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { handle } from "hono/aws-lambda";
import { HeartbeatPing } from "@uptime/core/heartbeat/ping";
import { VisibleError } from "@uptime/core/platform/errors";
import { createApi, errorResponses, json } from "./http";

/**
 * Heartbeat pings: public, no authentication but the token in the path. A body is kept as the
 * ping's log (cut to 10 KB); a bigger one is still a ping, so the limit here is well above that.
 */
export const app = createApi({ maxBodyBytes: 1024 * 1024 });

const Token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).openapi({ param: { name: "token", in: "path" }, example: "kq2Xw9TQm0aHc8yVb1nLr4Zp" });
const Signal = z
  .string()
  .regex(/^(start|fail|\d{1,3})$/)
  .openapi({ param: { name: "signal", in: "path" }, description: "`start` (a run began), `fail`, or the job's exit code (0 = success)", example: "start" });
const Received = z.object({ ok: z.literal(true), kind: z.enum(["success", "start", "fail"]), durationMs: z.number().nullable() });

const description =
  "Reports a heartbeat. No authentication: the token in the ping URL is the credential. An optional body (up to 10 KB kept) is the ping's log. At most `HEARTBEAT_PINGS_PER_MINUTE` (30) per token per clock minute; past that, 429 `too_many_pings` with `Retry-After`.";
for (const method of ["get", "head", "post"] as const) {
  // HEAD answers like GET without a body.
  const ok = method === "head" ? { description: "Received" } : { description: "Received", ...json(Received) };
  app.openAPIRegistry.registerPath(
    createRoute({
      method,
      path: "/ping/{token}",
      tags: ["heartbeats"],
      summary: `Ping: the job succeeded${method === "post" ? " (body: its log)" : ""}`,
      description,
      security: [],
      request: { params: z.object({ token: Token }) },
      responses: { 200: ok, ...errorResponses(404, 413, 429) },
    }),
  );
  app.openAPIRegistry.registerPath(
    createRoute({
      method,
      path: "/ping/{token}/{signal}",
      tags: ["heartbeats"],
      summary: "Ping: a run started, failed, or ended with an exit code",
      description,
      security: [],
      request: { params: z.object({ token: Token, signal: Signal }) },
      responses: { 200: ok, ...errorResponses(400, 404, 413, 429) },
    }),
  );
}

async function ping(c: Context, token: string, signal?: string) {
  if (!Token.safeParse(token).success) throw new VisibleError("not_found", "not_found", "Heartbeat not found");
  if (signal !== undefined && !Signal.safeParse(signal).success) {
    throw new VisibleError("invalid", "invalid_signal", "After the token: start, fail, or an exit code from 0 to 255");
  }
  const exitCode = signal !== undefined && /^\d+$/.test(signal) ? Number(signal) : undefined;
  if (exitCode !== undefined && exitCode > 255) throw new VisibleError("invalid", "invalid_signal", "An exit code is from 0 to 255");
  const kind = signal === "start" ? "start" : signal === "fail" || (exitCode !== undefined && exitCode !== 0) ? "fail" : "success";
  const body = c.req.method === "POST" ? await c.req.text() : undefined;
  const received = await HeartbeatPing.receive(token, { kind, exitCode, method: c.req.method, body: body || undefined });
  // Pings come from scripts: never cached, never framed.
  c.header("Cache-Control", "no-store");
  return c.json({ ok: true as const, kind: received.kind, durationMs: received.durationMs ?? null }, 200);
}

app.on(["GET", "HEAD", "POST"], "/ping/:token", (c) => ping(c, c.req.param("token")));
app.on(["GET", "HEAD", "POST"], "/ping/:token/:signal", (c) => ping(c, c.req.param("token"), c.req.param("signal")));

export const handler = handle(app);
