/**
 * Custom domains: a status page that claimed a hostname (status.acme.com) answers at that host's
 * root. The edge in front of the API maps such a request onto the public routes by putting the
 * host where the slug goes (`/api/v2/summary.json` → `/status/status.acme.com/api/v2/summary.json`);
 * public-pages.ts reads a `{slug}` with a dot as that host. Deployed, CloudFront does it with
 * viewerRequestFunction on the distribution that carries the custom domains; locally,
 * packages/local does it for any request whose Host is such a name.
 * No imports: sst.config.ts may bundle this file.
 */

/** A DNS name with a letter TLD: not an IP address, not localhost (those are the deployment's own). */
export const isCustomHost = (hostname: string) => /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(hostname) && !/(^|\.)localhost$/i.test(hostname);

/** The public route a request to a custom domain's `path` is served by. */
export const customDomainPath = (hostname: string, path: string) => `/status/${hostname.toLowerCase()}${path === "/" ? "" : path}`;

/**
 * The same mapping as a CloudFront Function (cloudfront-js-2.0, viewer request) for the
 * distribution of status pages' custom domains (stacks/Web.ts). The origin answers on its own
 * Host, so the viewer's host travels in the path; the function also passes the viewer's address
 * in `viewerAddressHeader`, as the main distribution's API behaviours do (a behaviour takes one
 * viewer-request function).
 */
export const viewerRequestFunction = (viewerAddressHeader: string) => `function handler(event) {
  var request = event.request;
  var host = request.headers.host.value.toLowerCase();
  request.headers["${viewerAddressHeader}"] = { value: event.viewer.ip };
  request.uri = "/status/" + host + (request.uri === "/" ? "" : request.uri);
  return request;
}`;
