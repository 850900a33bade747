/**
 * Headers between CloudFront and the API (stacks/Web.ts sets them, client-address.ts reads them).
 * No imports: the stacks import this file at deploy time.
 */
/** A custom origin header carrying the per-stage secret. */
export const ORIGIN_VERIFY_HEADER = "x-origin-verify";
/** Set by the distribution's viewer function from the viewer's address, overwriting anything the caller sent. */
export const VIEWER_ADDRESS_HEADER = "x-viewer-address";
