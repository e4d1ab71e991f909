/** The frame of the gateway's own pages (refusals, progress) and HTML escaping. */

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2328}'
  + 'h1{font-size:1.4rem}ol{padding-left:1.2rem}li{margin:.3rem 0}li.done{color:#1a7f37}li.done::marker{content:"✓  "}'
  + 'li.active{font-weight:600}.detail{color:#57606a;font-size:.9rem}.error{color:#cf222e}';

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete HTML document. `head` is trusted markup added to <head>. */
export function page(title: string, bodyHtml: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<title>${escapeHtml(title)} · StreamSpace</title><style>${STYLE}</style>${head}</head><body>${bodyHtml}</body></html>`;
}
