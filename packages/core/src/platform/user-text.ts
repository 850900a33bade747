export * as UserText from "./user-text";

/**
 * Text a customer chose (organisation names, page and incident titles, monitor names and URLs) as it
 * may appear in a mail we send to someone else. It must never read as our own words or become a
 * link: a name like "Security notice: verify at https://evil.example/login" in an invitation would
 * otherwise be a phishing mail with our sender address. So it is cut short, always quoted, and its
 * schemes, domains and addresses are broken the way threat reports "defang" them, which mail clients
 * do not turn into links.
 */

export const NAME_MAX = 60;

/** Breaks what a mail client would auto-link: `scheme://`, `www.`, `a.b` domains and `user@host`. */
export function defang(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/([a-z][a-z0-9+.-]*):\/\//gi, "$1[:]//")
    .replace(/\.(?=[\p{L}\p{N}])/gu, "[.]")
    .replace(/@/g, "[at]");
}

/** A user-chosen name, defanged, at most `max` characters (an ellipsis says it was cut): for a subject, after a fixed tag such as [DOWN]. */
export function short(name: string, max = NAME_MAX): string {
  const chars = [...defang(name).trim().replace(/\s+/g, " ")];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : chars.join("");
}

/** A user-chosen name in running text: short and in quotes, so it never reads as our own words. */
export const quoted = (name: string, max = NAME_MAX) => `“${short(name, max)}”`;

/**
 * What text fields may hold. XML 1.0 (feeds), mail headers and terminals choke on control
 * characters, lone surrogates and U+FFFE/U+FFFF; a one-line field refuses every control character
 * (CR/LF included), a multi-line one allows only LF, CR and TAB.
 */
export const ONE_LINE = /^[^\p{Cc}\p{Cs}\uFFFE\uFFFF]*$/u;
export const MULTI_LINE = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\p{Cs}\uFFFE\uFFFF]*$/u;
export const ONE_LINE_MESSAGE = "must not contain control characters such as CR or LF";
export const MULTI_LINE_MESSAGE = "must not contain control characters other than line breaks and tabs";
