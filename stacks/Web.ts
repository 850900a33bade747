import { Duration, Fn, RemovalPolicy } from "aws-cdk-lib";
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  CfnFunction,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { BlockPublicAccess, Bucket } from "aws-cdk-lib/aws-s3";
import { StringParameter } from "aws-cdk-lib/aws-ssm";
import { AwsCustomResource, AwsCustomResourcePolicy, Logging, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import { StackContext, StaticSite, use } from "sst/constructs";
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from "@uptime/functions/api/edge-headers";
import { viewerRequestFunction } from "@uptime/functions/api/custom-domain";
import { deployConfig } from "@uptime/core/platform/config";
import { Api } from "./Api";
import { publicUrlParameter } from "./Pipeline";

/** Paths CloudFront sends to the API; everything else is the app. Same list as the local server's precedence. */
export const apiPaths = ["/v1/*", "/openapi.json", "/docs", "/status/*"];

/**
 * The web app on CloudFront, with the API behind the same distribution: one origin, so the
 * HttpOnly, SameSite=Strict refresh cookie (path /v1/auth) reaches the API, and the app needs no
 * API URL at build time and no CORS.
 */
export function Web({ stack, app }: StackContext) {
  const { api, originVerify } = use(Api);
  const deploy = deployConfig(app.stage);
  /*
   * CloudFront's custom origin header is fixed at deploy, so it is read from the SST secret then:
   * CloudFormation cannot resolve SecureStrings for CloudFront, so a custom resource reads it (with
   * its output kept out of the logs). The physical id changes on every synthesis, so every deploy
   * re-reads it: rotating is `sst secrets set` (new first, old after it), deploy, then drop the old.
   */
  const secretParameter = `/sst/${app.name}/${app.stage}/Secret/${originVerify.name}/value`;
  const originVerifyValue = new AwsCustomResource(stack, "OriginVerifyValue", {
    onUpdate: {
      service: "SSM",
      action: "getParameter",
      parameters: { Name: secretParameter, WithDecryption: true },
      physicalResourceId: PhysicalResourceId.of(`origin-verify-${Date.now()}`),
      outputPaths: ["Parameter.Value"],
      logging: Logging.withDataHidden(),
    },
    policy: AwsCustomResourcePolicy.fromStatements([
      new PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: [stack.formatArn({ service: "ssm", resource: "parameter", resourceName: secretParameter.slice(1) })],
      }),
    ]),
    installLatestAwsSdk: false,
  });
  const originVerifySecret = Fn.select(0, Fn.split(",", originVerifyValue.getResponseField("Parameter.Value")));
  /*
   * HSTS and nosniff on everything; frame-ancestors and a referrer policy where the origin set none
   * (status pages allow embedding, and say so themselves).
   */
  const securityHeaders = new ResponseHeadersPolicy(stack, "SecurityHeaders", {
    comment: "HSTS, nosniff; frame-ancestors 'none' unless the origin says otherwise",
    securityHeadersBehavior: {
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: false, override: true },
      contentTypeOptions: { override: true },
      contentSecurityPolicy: { contentSecurityPolicy: "frame-ancestors 'none'", override: false },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: false },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: false },
    },
  });
  /*
   * The API's answers are never stored (TTL 0 unless the origin allows it, at most a second), but a
   * cache policy that may store is the only kind with which CloudFront compresses: JSON leaves
   * gzip- or brotli-compressed. Everything that tells callers apart is in the key, so even a
   * response an origin wrongly marked cacheable is never served to someone else.
   */
  const apiPolicy = new CachePolicy(stack, "ApiCompressed", {
    comment: "API: not stored, compressed",
    defaultTtl: Duration.seconds(0),
    minTtl: Duration.seconds(0),
    maxTtl: Duration.seconds(1),
    queryStringBehavior: CacheQueryStringBehavior.all(),
    headerBehavior: CacheHeaderBehavior.allowList("Authorization", "X-Org-Id", "Origin"),
    cookieBehavior: CacheCookieBehavior.all(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
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
    cachePolicy: apiPolicy,
    responseHeadersPolicy: securityHeaders,
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
  // Our own bucket, so the distribution reads it through Origin Access Control (SST's default is a legacy OAI).
  const bucket = new Bucket(stack, "WebBucket", {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // Only the build lives here: it goes with the stage.
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  const site = new StaticSite(stack, "Web", {
    path: "packages/web",
    // Not dist/: that is npm start's build, which a synth running beside it must not empty.
    buildCommand: "npm run build -- --outDir .build/site",
    buildOutput: ".build/site",
    vite: { types: "sst-env.d.ts" },
    assets: {
      // Swagger UI's files keep their names across versions: cached for an hour, not a year as immutable.
      fileOptions: [{ files: "docs-assets/*", cacheControl: "public,max-age=3600" }],
    },
    cdk: {
      bucket,
      distribution: {
        defaultBehavior: {
          origin: S3BucketOrigin.withOriginAccessControl(bucket),
          responseHeadersPolicy: securityHeaders,
        },
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

  if (deploy.PUBLIC_URL === "cloudfront") {
    // Functions read this at cold start (PUBLIC_URL_PARAMETER): links in mails work after the first deploy.
    new StringParameter(stack, "PublicUrl", { parameterName: publicUrlParameter(app), stringValue: site.url ?? "" });
  }

  /*
   * Status pages' custom domains: a distribution of their own, since each host's root is a status
   * page, not the app. Its function puts the viewer's host into the path (/status/{host}/…), so the
   * API, which answers only on its own Host, serves the page that claimed it; the rest is the
   * /status/* behaviour above (cache as the page says, cookies to protected pages, the secret).
   */
  let statusDomains: Distribution | undefined;
  if (deploy.STATUS_DOMAINS.length > 0 && deploy.STATUS_DOMAINS_CERTIFICATE_ARN) {
    const toPage = new CloudFrontFunction(stack, "StatusDomainsToPage", { code: FunctionCode.fromInline(viewerRequestFunction(VIEWER_ADDRESS_HEADER)) });
    statusDomains = new Distribution(stack, "StatusDomains", {
      comment: "Status pages at the root of their custom domains",
      domainNames: deploy.STATUS_DOMAINS,
      certificate: Certificate.fromCertificateArn(stack, "StatusDomainsCertificate", deploy.STATUS_DOMAINS_CERTIFICATE_ARN),
      defaultBehavior: { ...statusBehavior, functionAssociations: [{ function: toPage, eventType: FunctionEventType.VIEWER_REQUEST }] },
    });
  }

  stack.addOutputs({
    WebUrl: site.customDomainUrl ?? site.url ?? "",
    PublicUrl: deploy.PUBLIC_URL === "cloudfront" ? (site.url ?? "") : deploy.PUBLIC_URL,
    // where each custom domain's DNS (CNAME) points
    ...(statusDomains ? { StatusDomainsTarget: statusDomains.distributionDomainName } : {}),
  });
  return { site };
}
