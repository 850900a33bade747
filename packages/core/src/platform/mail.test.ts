import { describe, expect, it } from "vitest";
import { Mail } from "./mail";

describe("Mail.send", () => {
  it("refuses to send until a transport is installed: only the alert function installs SES", async () => {
    await expect(Mail.send({ to: "a@example.com", subject: "x", text: "x", html: "x" })).rejects.toThrow(/only the alert function sends mail/);
  });

});
