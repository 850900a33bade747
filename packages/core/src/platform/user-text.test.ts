import { describe, expect, it } from "vitest";
import { UserText } from "./user-text";

/** What Gmail, Outlook and Apple Mail turn into links in plain text (close enough for a test). */
const linkable = /(https?:\/\/|www\.)\S+|\b[\w-]+(\.[\w-]+)*\.[a-z]{2,}\b|\S+@\S+\.\S+/i;

describe("user-chosen text in mails", () => {
  it("quotes, shortens and defangs a name so nothing in it can become a link", () => {
    const evil = "Security notice: verify at https://evil.example/login or mail admin@evil.example, see www.evil.example";
    const q = UserText.quoted(evil);
    expect(q.startsWith("“") && q.endsWith("”")).toBe(true);
    expect([...q].length).toBeLessThanOrEqual(UserText.NAME_MAX + 2);
    expect(q).not.toMatch(linkable);
    expect(UserText.defang(evil)).not.toMatch(linkable);
    expect(UserText.defang("https://evil.example/login")).toBe("https[:]//evil[.]example/login");
  });

  it("leaves ordinary names readable", () => {
    expect(UserText.quoted("Acme Web Team")).toBe("“Acme Web Team”");
    expect(UserText.quoted("a\nb\u0000c")).toBe("“a b c”");
  });
});
