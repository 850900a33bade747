import { createHash } from "node:crypto";
import { escapeHtml } from "../platform/html";

/**
 * The HTML frame every public status-page response shares: no CDN, no external font or script,
 * one inline stylesheet and two small inline scripts (the bars' tooltip; on the status page only,
 * the refresh) allowed by their hashes in the Content-Security-Policy. Themes are CSS variables; "auto" follows the system.
 */

const STYLE = `
:root{--bg:#fff;--fg:#101828;--muted:#475467;--line:#e4e7ec;--card:#f9fafb;--ok:#067647;--minor:#b54708;--major:#c4320a;--critical:#b42318;--maint:#175cd3;--none:#d0d5dd;--link:#175cd3;--on-banner:#fff}
html[data-theme=dark]{--bg:#0c111d;--fg:#f5f5f6;--muted:#a4a7ae;--line:#333741;--card:#161b26;--ok:#47cd89;--minor:#fdb022;--major:#f97066;--critical:#f04438;--maint:#53b1fd;--none:#4a505c;--link:#84caff;--on-banner:#0c111d}
@media (prefers-color-scheme:dark){html[data-theme=auto]{--bg:#0c111d;--fg:#f5f5f6;--muted:#a4a7ae;--line:#333741;--card:#161b26;--ok:#47cd89;--minor:#fdb022;--major:#f97066;--critical:#f04438;--maint:#53b1fd;--none:#4a505c;--link:#84caff;--on-banner:#0c111d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
main{max-width:52rem;margin:0 auto;padding:1rem}
a{color:var(--link)}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0}
header{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
header img{max-height:3rem;max-width:12rem}
.muted{color:var(--muted)}
.banner{border-radius:8px;padding:1rem;margin:1rem 0;color:var(--on-banner);font-weight:600;font-size:1.1rem}
.banner.none{background:var(--ok)}.banner.minor{background:var(--minor)}.banner.major{background:var(--major)}.banner.critical{background:var(--critical)}.banner.maintenance{background:var(--maint)}
.card{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:.5rem 0;background:var(--card)}
details>summary{cursor:pointer;font-weight:600;padding:.25rem 0}
.component{padding:.6rem 0;border-top:1px solid var(--line)}
.component:first-of-type{border-top:0}
.row{display:flex;justify-content:space-between;gap:.5rem;flex-wrap:wrap}
.status{font-weight:600;font-size:.9rem}
.s-operational{color:var(--ok)}.s-degraded_performance{color:var(--minor)}.s-partial_outage{color:var(--major)}.s-major_outage{color:var(--critical)}.s-under_maintenance{color:var(--maint)}
.bars{display:flex;gap:1px;margin:.4rem 0 .2rem;padding:0;height:2rem;cursor:pointer;touch-action:manipulation}
.bars:focus-visible{outline:2px solid var(--link);outline-offset:3px}
.bars i{flex:1 1 0;min-width:0;border-radius:1px;background:var(--none)}
.bars i.up{background:var(--ok)}.bars i.minor{background:var(--minor)}.bars i.major{background:var(--major)}.bars i.down{background:var(--critical)}.bars i.maint{background:var(--maint)}
.bars i:hover,.bars i.sel{outline:2px solid var(--fg);outline-offset:1px}
.tip{margin:.2rem 0;font-size:.85rem}
.legend{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}
ol.timeline{list-style:none;padding:0;margin:.5rem 0 0}
ol.timeline li{border-left:3px solid var(--line);padding:.1rem 0 .5rem .75rem}
.sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
form{margin:.5rem 0}
label{display:block;margin:.25rem 0}
input[type=email],input[type=password]{font:inherit;padding:.5rem;border:1px solid var(--muted);border-radius:6px;width:100%;max-width:24rem;background:var(--bg);color:var(--fg)}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid var(--link);background:var(--link);color:var(--bg);cursor:pointer;margin-top:.5rem}
fieldset{border:1px solid var(--line);border-radius:6px;margin:.5rem 0}
dl.uptime{display:grid;grid-template-columns:repeat(auto-fit,minmax(7rem,1fr));gap:.5rem;margin:1rem 0}
dl.uptime div{border:1px solid var(--line);border-radius:8px;padding:.5rem;background:var(--card)}
dl.uptime dt{font-size:.85rem;color:var(--muted)}dl.uptime dd{margin:0;font-size:1.2rem;font-weight:600}
ul.months{display:flex;flex-wrap:wrap;gap:.25rem .9rem;list-style:none;padding:0;margin:.75rem 0;font-size:.9rem}
nav.pager{display:flex;justify-content:space-between;gap:1rem;margin:.5rem 0}
footer{margin:2rem 0 1rem;font-size:.85rem;color:var(--muted)}
footer a{margin-right:.75rem}
`;

/** Updates the banner and each component's status from summary.json every minute, without a reload. */
export const REFRESH_SCRIPT = `(function(){var d=document,b=d.getElementById("banner");if(!b||!window.fetch)return;
setInterval(function(){fetch(b.dataset.summary,{credentials:"same-origin"}).then(function(r){return r.ok?r.json():null}).then(function(s){if(!s)return;
b.textContent=s.status.description;b.className="banner "+s.status.indicator;
s.components.forEach(function(c){var e=d.querySelector('[data-component="'+c.id+'"]');if(e&&e.dataset.status!==c.status){e.dataset.status=c.status;e.className="status s-"+c.status;e.textContent=c.status.replace(/_/g," ")}});
var n=d.getElementById("active-count");if(n&&String(s.incidents.length)!==n.dataset.count)location.reload()}).catch(function(){})},60000)})();`;

/**
 * The day bars' tooltip: the focused strip is a slider over its days (arrows, Home/End, PageUp/
 * PageDown by a week); a tap or a hover picks the bar under it. The picked day's text (its
 * title) shows below the strip and becomes the slider's value text, which screen readers read.
 */
export const BARS_SCRIPT = `(function(){var d=document;
function tip(b){return b.nextElementSibling}
function pick(b,i){var c=b.children,n=c.length;if(!n)return;i=Math.max(0,Math.min(n-1,i));var o=b.querySelector(".sel");if(o)o.classList.remove("sel");var e=c[i];e.classList.add("sel");
b.dataset.i=i;b.setAttribute("aria-valuenow",i+1);b.setAttribute("aria-valuetext",e.title);var t=tip(b);t.textContent=e.title;t.hidden=false}
function drop(b){var o=b.querySelector(".sel");if(o)o.classList.remove("sel");tip(b).hidden=true}
var keys={ArrowLeft:-1,ArrowDown:-1,ArrowRight:1,ArrowUp:1,PageUp:7,PageDown:-7};
[].forEach.call(d.querySelectorAll(".bars"),function(b){var at=function(){return b.dataset.i?+b.dataset.i:b.children.length-1};
b.addEventListener("keydown",function(ev){var k=ev.key,n=b.children.length,j=k in keys?at()+keys[k]:k==="Home"?0:k==="End"?n-1:null;if(j===null)return;ev.preventDefault();pick(b,j)});
b.addEventListener("focus",function(){pick(b,at())});
b.addEventListener("blur",function(){drop(b)});
b.addEventListener("click",function(ev){var i=[].indexOf.call(b.children,ev.target);if(i>=0)pick(b,i)});
b.addEventListener("mouseover",function(ev){var i=[].indexOf.call(b.children,ev.target);if(i>=0)pick(b,i)});
b.addEventListener("mouseleave",function(){if(d.activeElement!==b)drop(b)})})})();`;

const hashOf = (script: string) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`;
/** What a public page may run: the bars' tooltip, and on a status page the refresh. */
export const SCRIPT_SRC = `script-src ${hashOf(REFRESH_SCRIPT)} ${hashOf(BARS_SCRIPT)}`;

/** The policy of a status page: its own inline style, its own scripts, a logo from any https address. */
export const CSP = `default-src 'none'; style-src 'unsafe-inline'; ${SCRIPT_SRC}; connect-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

export type Theme = "light" | "dark" | "auto";

/** The colour of each page indicator, for the favicon (a tab shows the page's state at a glance). */
const ICON_COLOR: Record<string, string> = { none: "#067647", minor: "#b54708", major: "#c4320a", critical: "#b42318", maintenance: "#175cd3" };

/** A round SVG favicon in the indicator's colour, inline (a data: URL, allowed by img-src). */
export const faviconFor = (indicator: string) =>
  `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${ICON_COLOR[indicator] ?? ICON_COLOR.none}"/></svg>`)}`;

export function shell(o: { title: string; theme: Theme; body: string; script?: boolean; bars?: boolean; feeds?: string; noindex?: boolean; description?: string; icon?: string }): string {
  return `<!doctype html>
<html lang="en" data-theme="${escapeHtml(o.theme)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="${o.theme === "auto" ? "light dark" : escapeHtml(o.theme)}">
<meta name="referrer" content="no-referrer">${o.noindex ? '\n<meta name="robots" content="noindex">' : ""}
<title>${escapeHtml(o.title)}</title>${o.description ? `\n<meta name="description" content="${escapeHtml(o.description)}">` : ""}${
    o.icon ? `\n<link rel="icon" href="${escapeHtml(o.icon)}">` : ""
  }${o.feeds ?? ""}
<style>${STYLE}</style></head>
<body><main>${o.body}</main>${o.bars ? `<script>${BARS_SCRIPT}</script>` : ""}${o.script ? `<script>${REFRESH_SCRIPT}</script>` : ""}</body></html>`;
}

/** A small page of its own (password form, subscription steps). */
export const simplePage = (title: string, theme: Theme, body: string) =>
  shell({ title, theme, noindex: true, body: `<h1>${escapeHtml(title)}</h1>${body}` });
