/**
 * noVNC, served by the gateway: the npm package ships CommonJS modules (lib/), which browsers
 * cannot load as they are, so they are wrapped once, at first use, into one script with a
 * forty-line module loader (relative requires only: noVNC's lib has no other dependencies).
 * The viewer page connects noVNC's RFB client to the session's VNC bridge, scales the desktop
 * to the window, asks the server to resize with it, and passes the clipboard both ways.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { escapeHtml, page } from './html.ts';
import { RESERVED_PREFIX } from './session-address.ts';

const require = createRequire(import.meta.url);

/** The folder of noVNC's CommonJS modules. */
function libFolder(): string {
  return path.join(path.dirname(require.resolve('@novnc/novnc/package.json')), 'lib');
}

/** Every module reachable from lib/rfb.js, keyed by its path relative to lib/. */
function collect(lib: string): Map<string, string> {
  const modules = new Map<string, string>();
  const pending = ['rfb.js'];
  while (pending.length) {
    const rel = pending.pop()!;
    if (modules.has(rel)) continue;
    const source = fs.readFileSync(path.join(lib, rel), 'utf8');
    modules.set(rel, source);
    for (const m of source.matchAll(/require\("(\.[^"]+)"\)/g)) pending.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
  }
  return modules;
}

let bundle: string | undefined;

/** noVNC as one classic script defining `window.NoVNC.RFB`. */
export function noVncBundle(): string {
  if (bundle) return bundle;
  const modules = collect(libFolder());
  const entries = [...modules].map(([rel, source]) => `${JSON.stringify(rel)}: function (module, exports, require) {\n${source}\n}`);
  bundle = `(function () {
var defs = {${entries.join(',\n')}};
var cache = {};
function load(rel) {
  if (cache[rel]) return cache[rel].exports;
  var module = cache[rel] = { exports: {} };
  var dir = rel.lastIndexOf('/') < 0 ? '' : rel.slice(0, rel.lastIndexOf('/') + 1);
  defs[rel].call(module.exports, module, module.exports, function (spec) { return load(resolve(dir, spec)); });
  return module.exports;
}
function resolve(dir, spec) {
  var parts = (dir + spec).split('/'), out = [];
  for (var i = 0; i < parts.length; i++) { if (parts[i] === '..') out.pop(); else if (parts[i] !== '.' && parts[i] !== '') out.push(parts[i]); }
  return out.join('/');
}
window.NoVNC = { RFB: load('rfb.js')['default'] };
})();`;
  return bundle;
}

const VIEWER_SCRIPT = `
var base = location.pathname.replace(/\\/$/, '');
var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base + '${RESERVED_PREFIX}vnc';
var status = document.getElementById('status');
var rfb = new NoVNC.RFB(document.getElementById('screen'), url);
rfb.scaleViewport = true;
rfb.resizeSession = true;
rfb.focusOnClick = true;
rfb.addEventListener('connect', function () { status.textContent = 'Connected'; document.body.dataset.state = 'connected'; rfb.focus(); });
rfb.addEventListener('disconnect', function (e) { status.textContent = e.detail.clean ? 'Disconnected' : 'Connection lost'; document.body.dataset.state = 'disconnected'; });
rfb.addEventListener('credentialsrequired', function () { rfb.sendCredentials({ password: prompt('VNC password') || '' }); });
var clip = document.getElementById('clipboard');
rfb.addEventListener('clipboard', function (e) { clip.value = e.detail.text; });
clip.addEventListener('change', function () { rfb.clipboardPasteFrom(clip.value); });
window.rfb = rfb;
`;

/** The viewer page of a VNC session at `/s/{session}/` (or `/` in host mode). */
export function viewerPage(session: string): string {
  const style = '<style>html,body{height:100%;margin:0;max-width:none;padding:0}#screen{position:absolute;inset:0 0 2rem 0;background:#222}'
    + '#bar{position:absolute;left:0;right:0;bottom:0;height:2rem;display:flex;gap:1rem;align-items:center;padding:0 .5rem;font-size:.85rem;background:#f6f8fa}'
    + '#clipboard{flex:1;height:1.4rem;resize:none}</style>';
  const body = `<div id="screen"></div><div id="bar"><span>${escapeHtml(session)}</span><span id="status">Connecting…</span>`
    + '<textarea id="clipboard" placeholder="Clipboard: paste here to send to the desktop" aria-label="Clipboard"></textarea></div>'
    + `<script src="${RESERVED_PREFIX.slice(1)}novnc.js"></script><script>${VIEWER_SCRIPT}</script>`;
  return page(session, body, style);
}
