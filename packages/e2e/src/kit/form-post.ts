/** A browser's form post (application/x-www-form-urlencoded) for stack.api, optionally from another loopback address. */
export const formPost = (fields: Record<string, string>, from?: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  ...(from && { from }),
});
