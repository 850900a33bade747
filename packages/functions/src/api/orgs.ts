import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { handle } from "hono/aws-lambda";
import { User } from "@uptime/core/accounts/user";
import { resolveUserAccess } from "@uptime/core/orgs/resolve-access";
import { Audit } from "@uptime/core/orgs/audit";
import { Invitation } from "@uptime/core/orgs/invitation";
import { Membership } from "@uptime/core/orgs/membership";
import { Org } from "@uptime/core/orgs/org";
import { OrgDeletion } from "@uptime/core/orgs/deletion";
import { ROLES } from "@uptime/core/orgs/roles";
import { VisibleError } from "@uptime/core/platform/errors";
import { Page, bearer, createApi, described, errorResponses, json, named, type Env } from "./http";
import { orgScoped } from "./require-org";
import { requireUser } from "./require-user";

const OrgView = named(Org.View, "Organisation");
const MineView = named(Org.MineView, "MyOrganisation");
const CurrentView = named(Org.CurrentView, "CurrentOrganisation");
const MemberView = named(Membership.View, "Member");
const InvitationView = named(Invitation.View, "Invitation");
const AuditView = named(Audit.View, "AuditEntry");
const PageQuery = z.object(Page);
const UserIdParam = z.object({ userId: z.string().min(1).max(100).openapi({ param: { name: "userId", in: "path" } }) });
const InvitationIdParam = z.object({ invitationId: z.string().min(1).max(100).openapi({ param: { name: "invitationId", in: "path" } }) });
const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), cursor: z.string().nullable() });
const signedIn = { middleware: [requireUser], security: bearer };

/** The signed-in user's account, for the parts of a membership copied from it. */
async function currentUser(c: Context<Env>) {
  const { userId, sessionId } = c.get("actor");
  const user = await User.get(userId);
  if (!user) throw new VisibleError("unauthorized", "invalid_token", "The account for this token no longer exists");
  return { userId, sessionId, email: user.email, name: user.name ?? undefined };
}

export const app = createApi();

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/orgs",
    tags: ["organisations"],
    summary: "The organisations you belong to, with your role in each (your personal one included)",
    ...signedIn,
    responses: { 200: { description: "Your organisations", ...json(z.object({ data: z.array(MineView) })) }, ...errorResponses(401) },
  }),
  async (c) => {
    const { userId, sessionId } = c.get("actor");
    await resolveUserAccess(userId, sessionId, userId); // makes the personal organisation of an older account
    return c.json({ data: await Org.listMine(userId) }, 200);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/orgs",
    tags: ["organisations"],
    summary: "Create an organisation; you are its owner. Act in it by sending its id as X-Org-Id.",
    ...signedIn,
    request: { body: { required: true, ...json(described(Org.CreateInput, { example: { name: "Acme Web Team" } })) } },
    responses: { 201: { description: "Created", ...json(OrgView) }, ...errorResponses(400, 401, 403, 415) },
  }),
  async (c) => c.json(await Org.create(await currentUser(c), c.req.valid("json")), 201),
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/org",
    tags: ["organisations"],
    summary: "The organisation this request acts in, your role and the permissions it gives you",
    ...orgScoped("org.read"),
    responses: { 200: { description: "The organisation", ...json(CurrentView) }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => c.json(await Org.current(c.get("org")), 200),
);

app.openapi(
  createRoute({
    method: "patch",
    path: "/v1/org",
    tags: ["organisations"],
    summary: "Rename the organisation",
    ...orgScoped("org.update"),
    request: { body: { required: true, ...json(described(Org.UpdateInput, { example: { name: "Acme Platform" } })) } },
    responses: { 200: { description: "The organisation", ...json(OrgView) }, ...errorResponses(400, 401, 403, 404, 415) },
  }),
  async (c) => c.json(await Org.update(c.get("org"), c.req.valid("json")), 200),
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/org",
    tags: ["organisations"],
    summary: "Delete the organisation (not a personal one; delete its monitors first)",
    ...orgScoped("org.delete"),
    responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404, 409) },
  }),
  async (c) => {
    await OrgDeletion.remove(c.get("org"));
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/org/transfer",
    tags: ["organisations"],
    summary: "Make another member owner; you become an admin",
    ...orgScoped("org.delete"),
    request: { body: { required: true, ...json(z.object({ userId: z.string().min(1).max(100) })) } },
    responses: { 200: { description: "The new owner", ...json(MemberView) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
  }),
  async (c) => c.json(await Membership.transfer(c.get("org"), c.req.valid("json").userId), 200),
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/org/members",
    tags: ["organisations"],
    summary: "The organisation's members and their roles",
    ...orgScoped("members.read"),
    request: { query: PageQuery },
    responses: { 200: { description: "A page of members", ...json(pageOf(MemberView)) }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => c.json(await Membership.list(c.get("org").orgId, c.req.valid("query")), 200),
);

app.openapi(
  createRoute({
    method: "patch",
    path: "/v1/org/members/{userId}",
    tags: ["organisations"],
    summary: "Change a member's role. Only owners grant or take away ownership; the last owner cannot be demoted.",
    ...orgScoped("members.manage"),
    request: { params: UserIdParam, body: { required: true, ...json(z.object({ role: z.enum(ROLES) }).openapi({ example: { role: "admin" } })) } },
    responses: { 200: { description: "The member", ...json(MemberView) }, ...errorResponses(400, 401, 403, 404, 409, 415) },
  }),
  async (c) => c.json(await Membership.changeRole(c.get("org"), c.req.valid("param").userId, c.req.valid("json").role), 200),
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/org/members/{userId}",
    tags: ["organisations"],
    summary: "Remove a member; their next request is refused. Only owners remove owners; the last owner cannot go.",
    ...orgScoped("members.manage"),
    request: { params: UserIdParam },
    responses: { 204: { description: "Removed" }, ...errorResponses(401, 403, 404, 409) },
  }),
  async (c) => {
    await Membership.remove(c.get("org"), c.req.valid("param").userId);
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/org/leave",
    tags: ["organisations"],
    summary: "Leave the organisation (any role; not the last owner, not your personal organisation)",
    ...orgScoped("org.read"),
    responses: { 204: { description: "Left" }, ...errorResponses(401, 403, 404, 409) },
  }),
  async (c) => {
    const access = c.get("org");
    if (access.by.kind !== "user") throw new VisibleError("forbidden", "forbidden", "An API key cannot leave its organisation; revoke it instead");
    await Membership.remove(access, access.by.userId);
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/org/invitations",
    tags: ["organisations"],
    summary: "Pending (and expired, not yet purged) invitations",
    ...orgScoped("invitations.manage"),
    request: { query: PageQuery },
    responses: { 200: { description: "A page of invitations", ...json(pageOf(InvitationView)) }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => c.json(await Invitation.list(c.get("org").orgId, c.req.valid("query")), 200),
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/org/invitations",
    tags: ["organisations"],
    summary: "Invite an email address (as admin, member or viewer); the link in the mail works once, for 7 days",
    ...orgScoped("invitations.manage"),
    request: { body: { required: true, ...json(described(Invitation.CreateInput, { example: { email: "grace@example.com", role: "member" } })) } },
    responses: { 201: { description: "Invited", ...json(InvitationView) }, ...errorResponses(400, 401, 403, 404, 409, 415, 429) },
  }),
  async (c) => c.json(await Invitation.create(c.get("org"), c.req.valid("json")), 201),
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/org/invitations/{invitationId}",
    tags: ["organisations"],
    summary: "Revoke a pending invitation; its link stops working",
    ...orgScoped("invitations.manage"),
    request: { params: InvitationIdParam },
    responses: { 204: { description: "Revoked" }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    await Invitation.revoke(c.get("org"), c.req.valid("param").invitationId);
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/invitations/preview",
    tags: ["organisations"],
    summary: "What accepting an invitation would do: the organisation and the role (nothing changes)",
    ...signedIn,
    request: { body: { required: true, ...json(z.object({ token: z.string().min(1).max(200) })) } },
    responses: {
      200: { description: "The invitation", ...json(named(Invitation.Preview, "InvitationPreview")) },
      ...errorResponses(400, 401, 403, 404, 409, 415),
    },
  }),
  async (c) => c.json(await Invitation.preview(await currentUser(c), c.req.valid("json").token), 200),
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/invitations/accept",
    tags: ["organisations"],
    summary: "Accept an invitation with the token from its mail; you must be signed in with the invited email",
    ...signedIn,
    request: { body: { required: true, ...json(z.object({ token: z.string().min(1).max(200) })) } },
    responses: {
      200: { description: "You joined", ...json(MineView) },
      ...errorResponses(400, 401, 403, 404, 409, 415),
    },
  }),
  async (c) => {
    const joined = await Invitation.accept(await currentUser(c), c.req.valid("json").token);
    return c.json({ ...Org.toView(await Org.get(joined.orgId)), role: joined.role, joinedAt: new Date().toISOString() }, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/org/audit",
    tags: ["organisations"],
    summary: "The audit log, newest first",
    ...orgScoped("audit.read"),
    request: { query: PageQuery },
    responses: { 200: { description: "A page of entries", ...json(pageOf(AuditView)) }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => c.json(await Audit.list(c.get("org").orgId, c.req.valid("query")), 200),
);

export const handler = handle(app);
