import { z } from "@hono/zod-openapi";
import { StatusPage } from "@uptime/core/status-pages/page";
import { Components } from "@uptime/core/status-pages/components";
import { named } from "../http";
import { ComponentParam, ComponentView, GroupParam, GroupView, PageParam, READ_ERRORS, WRITE_ERRORS, body, done, ok, route, type StatusPagesApp } from "./route";

const LayoutView = named(z.object({ groups: z.array(GroupView.extend({ components: z.array(ComponentView) })), ungrouped: z.array(ComponentView) }), "StatusPageLayout");

const layoutView = ({ groups, components }: Awaited<ReturnType<typeof Components.read>>) => {
  const l = Components.layoutOf(groups, components);
  return {
    groups: l.groups.map((g) => ({ ...StatusPage.toGroupView(g.group), components: g.components.map(StatusPage.toComponentView) })),
    ungrouped: l.ungrouped.map(StatusPage.toComponentView),
  };
};

/** Layout, groups and components of a page. */
export function addComponentRoutes(app: StatusPagesApp) {
  app.openapi(
    route("statusPages.read", {
      method: "get",
      path: "/v1/status-pages/{pageId}/layout",
      summary: "Groups in order with their components, then ungrouped components",
      request: { params: PageParam },
      responses: { 200: ok(LayoutView), ...READ_ERRORS },
    }),
    async (c) => {
      const { pageId } = c.req.valid("param");
      await StatusPage.getOwned(c.get("org").orgId, pageId);
      return c.json(layoutView(await Components.read(pageId)), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "put",
      path: "/v1/status-pages/{pageId}/layout",
      summary: "Reorder: every group and component of the page, each exactly once",
      request: { params: PageParam, body: body(StatusPage.LayoutInput) },
      responses: { 200: ok(LayoutView), ...WRITE_ERRORS },
    }),
    async (c) => c.json(layoutView(await Components.setLayout(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 200),
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/groups",
      summary: "Add a component group (last)",
      request: { params: PageParam, body: body(StatusPage.CreateGroupInput) },
      responses: { 201: ok(GroupView), ...WRITE_ERRORS },
    }),
    async (c) => c.json(StatusPage.toGroupView(await Components.createGroup(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
  );

  app.openapi(
    route("statusPages.write", {
      method: "patch",
      path: "/v1/status-pages/{pageId}/groups/{groupId}",
      summary: "Rename or collapse a group",
      request: { params: GroupParam, body: body(StatusPage.UpdateGroupInput) },
      responses: { 200: ok(GroupView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, groupId } = c.req.valid("param");
      return c.json(StatusPage.toGroupView(await Components.updateGroup(c.get("org"), pageId, groupId, c.req.valid("json"))), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "delete",
      path: "/v1/status-pages/{pageId}/groups/{groupId}",
      summary: "Delete a group; its components stay, ungrouped",
      request: { params: GroupParam },
      responses: { 204: done, ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, groupId } = c.req.valid("param");
      await Components.removeGroup(c.get("org"), pageId, groupId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/components",
      summary: "Add a component: linked to a monitor, or static with a manual status",
      request: { params: PageParam, body: body(StatusPage.CreateComponentInput) },
      responses: { 201: ok(ComponentView), ...WRITE_ERRORS },
    }),
    async (c) => c.json(StatusPage.toComponentView(await Components.createComponent(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
  );

  app.openapi(
    route("statusPages.write", {
      method: "patch",
      path: "/v1/status-pages/{pageId}/components/{componentId}",
      summary: "Change a component; set or clear (null) a linked component's override",
      request: { params: ComponentParam, body: body(StatusPage.UpdateComponentInput) },
      responses: { 200: ok(ComponentView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, componentId } = c.req.valid("param");
      return c.json(StatusPage.toComponentView(await Components.updateComponent(c.get("org"), pageId, componentId, c.req.valid("json"))), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "delete",
      path: "/v1/status-pages/{pageId}/components/{componentId}",
      summary: "Delete a component",
      request: { params: ComponentParam },
      responses: { 204: done, ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, componentId } = c.req.valid("param");
      await Components.removeComponent(c.get("org"), pageId, componentId);
      return c.body(null, 204);
    },
  );
}
