import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/*
 * Every relative link in README.md and docs/*.md leads to a file that exists and, when it names a
 * heading (#anchor) of a Markdown file, to a heading that exists there. A new user found three
 * broken ones by hand (docs/docs/deploying.md, a README anchor that had moved).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const docs = ["README.md", ...readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/`/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Relative links outside code: [text](target) and reference definitions. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const inline = [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
  return [...inline, ...references].filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l));
}

describe("documentation links", () => {
  it("finds GitHub's anchors, with repeated headings numbered", () => {
    expect([...anchorsOf("# How it works (and why it is cheap)\n## Walkthrough: register → login → me\n## A\n## A\n```\n# not a heading\n```")]).toEqual([
      "how-it-works-and-why-it-is-cheap",
      "walkthrough-register--login--me",
      "a",
      "a-1",
    ]);
  });

  it.each(docs)("%s: every relative link reaches a file and heading that exist", (doc) => {
    const source = readFileSync(path.join(root, doc), "utf8");
    const broken: string[] = [];
    for (const link of linksOf(source)) {
      const [target, anchor] = link.split("#") as [string, string | undefined];
      const file = target === "" ? path.join(root, doc) : path.resolve(path.dirname(path.join(root, doc)), decodeURIComponent(target));
      if (!existsSync(file)) {
        broken.push(`${link} (no file ${path.relative(root, file)})`);
        continue;
      }
      if (anchor && file.endsWith(".md") && !anchorsOf(readFileSync(file, "utf8")).has(anchor)) broken.push(`${link} (no heading #${anchor})`);
    }
    expect(broken).toEqual([]);
  });
});
