/**
 * The `rel="next"` target of an HTTP `Link` header (RFC 8288), as GitHub and many REST APIs use it
 * for pagination: `<https://api.example.com/items?page=2>; rel="next", <...?page=9>; rel="last"`.
 * Parameter values may be quoted (and then hold commas and semicolons); `rel` may list several
 * relation types separated by spaces. Returns the target as written (possibly relative).
 */
export function nextLink(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  for (const link of parseLinks(header)) {
    const rel = link.params.get('rel');
    if (rel !== undefined && rel.toLowerCase().split(/\s+/).includes('next')) return link.target;
  }
  return undefined;
}

interface Link {
  readonly target: string;
  readonly params: Map<string, string>;
}

/** Parses every `<target>; name=value; ...` entry; malformed entries are skipped up to the next comma. */
export function parseLinks(header: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const n = header.length;
  const skipSpaces = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const skipToNextEntry = () => {
    while (i < n && header[i] !== ',') i++;
    i++;
  };
  while (i < n) {
    skipSpaces();
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (header[i] !== '<') {
      skipToNextEntry();
      continue;
    }
    const close = header.indexOf('>', i + 1);
    if (close < 0) break;
    const target = header.slice(i + 1, close).trim();
    i = close + 1;
    const params = new Map<string, string>();
    for (;;) {
      skipSpaces();
      if (header[i] !== ';') break;
      i++;
      skipSpaces();
      let name = '';
      while (i < n && !'=;,'.includes(header[i])) name += header[i++];
      name = name.trim().toLowerCase();
      let value = '';
      if (header[i] === '=') {
        i++;
        skipSpaces();
        if (header[i] === '"') {
          i++;
          while (i < n && header[i] !== '"') {
            if (header[i] === '\\' && i + 1 < n) i++;
            value += header[i++];
          }
          i++;
        } else {
          while (i < n && !';,'.includes(header[i])) value += header[i++];
          value = value.trim();
        }
      }
      // RFC 8288: only the first occurrence of a parameter counts.
      if (name && !params.has(name)) params.set(name, value);
    }
    links.push({ target, params });
    skipSpaces();
    if (i < n && header[i] !== ',') skipToNextEntry();
  }
  return links;
}
