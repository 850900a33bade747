import { api, authed } from "../../api/client";
import { can, useSession } from "../../session";
import { Failed, Loading, ScrollBox } from "../status";
import { must, pagePath, useLoad } from "./shared";

export function StatusPageList() {
  const me = useSession();
  const { data: pages, failure } = useLoad(async () => must(await authed(() => api.GET("/v1/status-pages", { params: { query: { limit: 100 } } })), "the status pages").data, [me.orgId]);
  return (
    <>
      <div class="title-row">
        <h1>Status pages</h1>
        {can("statusPages.write", me) && <a class="button" href="/status-pages/new">New status page</a>}
      </div>
      {failure && <Failed message={failure} />}
      {!pages ? (
        failure ? null : <Loading />
      ) : pages.length === 0 ? (
        <p>No status pages yet.{can("statusPages.write", me) && <> <a href="/status-pages/new">Create the first one</a>.</>}</p>
      ) : (
        <ScrollBox label="Status pages">
          <table>
            <thead>
              <tr><th scope="col">Title</th><th scope="col">Public page</th><th scope="col">Visibility</th><th scope="col">Subscribers</th></tr>
            </thead>
            <tbody>
              {pages.map((p) => (
                <tr key={p.id} data-page={p.slug}>
                  <td><a href={pagePath(p.id)}>{p.title}</a>{p.description && <div class="muted small">{p.description}</div>}</td>
                  <td><a href={`/status/${p.slug}`} data-external>/status/{p.slug}</a></td>
                  <td>{p.visibility === "protected" ? "Password" : "Public"}</td>
                  <td>{p.subscriberCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </>
  );
}
