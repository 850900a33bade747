import { UserText } from "@uptime/core/platform/user-text";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { Alert } from "@uptime/core/alert/alert";
import { AlertRecipient } from "@uptime/core/alert/recipients";
import { createUser, type TestUser } from "../kit/test-users";
import { answerConfirmation, confirmationLink, confirmationMailsTo, confirmRecipients } from "../kit/alert-recipients";

let stack: TestStack;
let target: Target;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  target = await startTarget();
  ada = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});
beforeEach(() => target.set({ status: 200 }));

async function createMonitor(name: string, alertEmails: string[]) {
  const res = await ada.call("POST", "/v1/monitors", { name, url: target.url, failureThreshold: 1, alertEmails });
  expect(res.status).toBe(201);
  await stack.drainQueues();
  return res.body as { id: string };
}

/** Takes the monitor down (or up) with one manual check, and lets the alert mails go out. */
async function flip(id: string, status: number) {
  target.set({ status });
  expect((await ada.call("POST", `/v1/monitors/${id}/check`)).status).toBe(200);
  await stack.drainQueues();
}

const alertMailsTo = async (address: string, monitorName: string) =>
  (await stack.emails()).filter((e) => e.destination.to.includes(address) && e.subject.includes(monitorName)).map((e) => e.subject.slice(0, e.subject.indexOf("]") + 1));

const statusOf = async (user: TestUser, address: string) =>
  ((await user.call("GET", "/v1/alert-recipients")).body.data as AlertRecipient.View[]).find((r) => r.email === address)?.status;

describe("alert recipients other than the owner confirm first", () => {
  it("mails an unconfirmed address one confirmation and no alerts; the owner's own address needs none", async () => {
    const friend = "friend-1@example.com";
    const m = await createMonitor("Opt-in shop", [ada.email, friend]);
    expect(await confirmationMailsTo(stack, friend)).toHaveLength(1);
    expect(await confirmationMailsTo(stack, ada.email)).toHaveLength(0);
    const [mail] = await confirmationMailsTo(stack, friend);
    expect(mail!.body.text).toContain(UserText.defang(ada.email)); // who is asking (defanged: no mailto link)
    expect(mail!.body.text).toContain(`${stack.apiUrl}/v1/alert-recipients/confirm?token=`);

    await flip(m.id, 500);
    expect(await alertMailsTo(ada.email, "Opt-in shop")).toEqual(["[DOWN]"]);
    expect(await alertMailsTo(friend, "Opt-in shop")).toEqual([]);
    const incident = (await ada.call("GET", `/v1/monitors/${m.id}`)).body.openIncidentId;
    const notes = await Alert.listForIncident(incident);
    expect(notes.find((n) => n.recipient === friend)).toMatchObject({ status: "skipped", reason: "unconfirmed" });
    expect(await statusOf(ada, friend)).toBe("pending");
  });

  it("sends one confirmation per address however often monitors name it", async () => {
    const friend = "friend-2@example.com";
    const m = await createMonitor("Resaved", [friend]);
    await createMonitor("Another with the same friend", [friend, "other-2@example.com"]);
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, { alertEmails: [friend, ada.email] })).status).toBe(200);
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, { alertEmails: [friend] })).status).toBe(200);
    expect(await confirmationMailsTo(stack, friend)).toHaveLength(1);
    expect(await confirmationMailsTo(stack, "other-2@example.com")).toHaveLength(1);
  });

  it("a GET of the link only shows the buttons; the confirm button's POST confirms, once, for all the account's monitors", async () => {
    const friend = "friend-3@example.com";
    const first = await createMonitor("Confirmed one", [friend]);
    const second = await createMonitor("Confirmed two", [friend]);
    const { path, token } = await confirmationLink(stack, friend);

    const page = await stack.api(path);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.body).toContain('method="post"');
    expect(page.body).toContain('value="confirm"');
    expect(page.body).toContain('value="decline"');
    expect(page.body).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    expect(await stack.api(path)).toMatchObject({ status: 200 }); // scanners may open it any number of times
    expect(await statusOf(ada, friend)).toBe("pending");

    const done = await answerConfirmation(stack, token, "confirm");
    expect(done.status).toBe(200);
    expect(done.body).toContain("Confirmed");
    expect(await statusOf(ada, friend)).toBe("confirmed");
    // single use
    expect((await answerConfirmation(stack, token, "decline")).status).toBe(404);
    expect((await stack.api(path)).status).toBe(404);
    expect(await statusOf(ada, friend)).toBe("confirmed");

    await flip(first.id, 500);
    await flip(second.id, 500);
    expect(await alertMailsTo(friend, "Confirmed one")).toEqual(["[DOWN]"]);
    expect(await alertMailsTo(friend, "Confirmed two")).toEqual(["[DOWN]"]);
    await flip(first.id, 200);
    expect(await alertMailsTo(friend, "Confirmed one")).toEqual(["[DOWN]", "[RECOVERED]"]);
  });

  it("decides at send time: an address that confirms during an incident gets its RECOVERED mail", async () => {
    const friend = "friend-4@example.com";
    const m = await createMonitor("Confirmed mid-incident", [ada.email, friend]);
    await flip(m.id, 500);
    expect(await alertMailsTo(friend, "Confirmed mid-incident")).toEqual([]);
    await confirmRecipients(stack, [friend]);
    await flip(m.id, 200);
    expect(await alertMailsTo(friend, "Confirmed mid-incident")).toEqual(["[RECOVERED]"]);
  });

  it("decline suppresses the address for the account: no alerts, no more confirmation mails", async () => {
    const stranger = "stranger-5@example.com";
    const m = await createMonitor("Declined", [ada.email, stranger]);
    const { token } = await confirmationLink(stack, stranger);
    const done = await answerConfirmation(stack, token, "decline");
    expect(done.status).toBe(200);
    expect(await statusOf(ada, stranger)).toBe("declined");

    await createMonitor("Declined again", [stranger]);
    expect(await confirmationMailsTo(stack, stranger)).toHaveLength(1);
    await flip(m.id, 500);
    expect(await alertMailsTo(stranger, "Declined")).toEqual([]);
    const incident = (await ada.call("GET", `/v1/monitors/${m.id}`)).body.openIncidentId;
    expect((await Alert.listForIncident(incident)).find((n) => n.recipient === stranger)).toMatchObject({ status: "skipped", reason: "declined" });
  });

  it("confirmation is per account: another account naming the same address asks again", async () => {
    const shared = "shared-6@example.com";
    await createMonitor("Ada's", [shared]);
    await confirmRecipients(stack, [shared]);
    const bob = await createUser(stack);
    expect((await bob.call("POST", "/v1/monitors", { name: "Bob's", url: target.url, alertEmails: [shared] })).status).toBe(201);
    expect(await confirmationMailsTo(stack, shared)).toHaveLength(2);
    expect(await statusOf(bob, shared)).toBe("pending");
    expect(await statusOf(ada, shared)).toBe("confirmed");
  });

  it("refuses unknown and expired tokens, and lists only for a signed-in account", async () => {
    expect((await stack.api("/v1/alert-recipients/confirm?token=nope")).status).toBe(404);
    expect((await answerConfirmation(stack, "nope", "confirm")).status).toBe(404);
    expect((await stack.api("/v1/alert-recipients/confirm")).status).toBe(400);
    expect((await stack.api("/v1/alert-recipients")).status).toBe(401);

    const late = "late-7@example.com";
    await createMonitor("Expired link", [late]);
    const { token } = await confirmationLink(stack, late);
    const eightDays = Date.now() + 8 * 86_400_000;
    expect(await AlertRecipient.lookup(token, eightDays)).toBeUndefined();
    expect(await AlertRecipient.answer(token, "confirm", eightDays)).toBeUndefined();
    expect(await statusOf(ada, late)).toBe("pending");
  });
});
