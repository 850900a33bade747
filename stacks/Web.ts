import { Duration, Fn } from "aws-cdk-lib";
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  CfnFunction,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { StackContext, StaticSite, use } from "sst/constructs";
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from "@uptime/functions/api/edge-headers";
import { Api } from "./Api";

/** Paths CloudFront sends to the API; everything else is the app. Same list as the local server's precedence. */
export const apiPaths = ["/v1/*", "/openapi.json", "/docs", "/status/*"];

/**
 * The web app on CloudFront, with the API behind the same distribution: one origin, so the
 * HttpOnly, SameSite=Strict refresh cookie (path /v1/auth) reaches the API, and the app needs no
 * API URL at build time and no CORS.
 */
export function Web({ stack }: StackContext) {
  const { api, originVerifySecret } = use(Api);
  // An origin request policy cannot both forward Authorization (only the managed AllViewer* ones may)
  // and add CloudFront-Viewer-Address; this function puts the viewer's address in a header of our
  // own on every API request, overwriting whatever the caller sent under that name.
  const viewerAddress = new CloudFrontFunction(stack, "ApiViewerAddress", {
    code: FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  request.headers["${VIEWER_ADDRESS_HEADER}"] = { value: event.viewer.ip };
  return request;
}`),
  });
  const apiBehavior: BehaviorOptions = {
    // The API trusts the viewer address only from requests that carry this secret.
    origin: new HttpOrigin(Fn.select(2, Fn.split("/", api.url)), { customHeaders: { [ORIGIN_VERIFY_HEADER]: originVerifySecret } }),
    viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
    allowedMethods: AllowedMethods.ALLOW_ALL,
    cachePolicy: CachePolicy.CACHING_DISABLED,
    // API Gateway routes on its own Host header; cookies, Authorization, X-Org-Id and the query go through.
    originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    functionAssociations: [{ function: viewerAddress, eventType: FunctionEventType.VIEWER_REQUEST }],
  };
  /*
   * Public status pages are read most during an outage: CloudFront keeps what the origin says it may
   * (public pages: `public, max-age=30, stale-while-revalidate=30`; protected ones and forms:
   * `private, no-store`, never stored). Nothing is cached without a header saying so (default TTL 0).
   * Cookies are forwarded (origin request policy) but not in the key: only protected pages read one.
   */
  const statusPolicy = new CachePolicy(stack, "StatusPages", {
    comment: "Public status pages: honour the origin's Cache-Control",
    defaultTtl: Duration.seconds(0),
    minTtl: Duration.seconds(0),
    maxTtl: Duration.minutes(5),
    queryStringBehavior: CacheQueryStringBehavior.all(),
    headerBehavior: CacheHeaderBehavior.none(),
    cookieBehavior: CacheCookieBehavior.none(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
  const statusBehavior: BehaviorOptions = { ...apiBehavior, cachePolicy: statusPolicy };
  const site = new StaticSite(stack, "Web", {
    path: "packages/web",
    // Not dist/: that is npm start's build, which a synth running beside it must not empty.
    buildCommand: "npm run build -- --outDir .build/site",
    buildOutput: ".build/site",
    vite: { types: "sst-env.d.ts" },
    cdk: {
      distribution: {
        additionalBehaviors: Object.fromEntries(apiPaths.map((p) => [p, p === "/status/*" ? statusBehavior : apiBehavior])),
        // CloudFront's error pages would apply to the API's 403/404 JSON too; the app's routes are
        // served by the function below instead.
        errorResponses: [],
      },
    },
  });

  // SST's viewer function appends ".html" to extension-less paths; the app is one index.html.
  const viewerFunction = site.node.tryFindChild("CloudFrontFunction")?.node.defaultChild;
  if (viewerFunction instanceof CfnFunction) {
    viewerFunction.addPropertyOverride(
      "FunctionCode",
      `function handler(event) {
  var request = event.request;
  if (!request.uri.split("/").pop().includes(".")) request.uri = "/index.html";
  return request;
}`,
    );
  }

  stack.addOutputs({ WebUrl: site.customDomainUrl ?? site.url ?? "" });
  return { site };
}
