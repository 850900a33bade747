/**
 * A URL that wraps on a phone only between its parts (after / . : ? & = -), so a port or an
 * id is never split across lines the way `word-break: break-all` splits it.
 */
export function Url({ url }: { url: string }) {
  const parts = url.split(/(?<=[/.:?&=#-])/);
  return (
    <span class="url">
      {parts.map((p, i) => (i === 0 ? p : <><wbr />{p}</>))}
    </span>
  );
}
