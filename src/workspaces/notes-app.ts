/**
 * The built-in web-app workspace (template `notes`): a notes page served over HTTP with live
 * updates over a WebSocket, keeping its notes in $HOME/notes.json so they survive hibernate and
 * wake. Run by the `streamspace-local` runtime as program `streamspace-notes`, listening on the
 * pod's loopback address (STREAMSPACE_POD_IP) and port (STREAMSPACE_PORT_STREAM).
 *   GET /            the page          GET /healthz   readiness
 *   GET /api/notes   the notes (JSON)  POST /api/notes {text}   adds one (also over /ws)
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

interface Note {
  text: string;
  at: string;
}

const MAX_NOTE = 10_000;
const FILE = path.join(process.env.HOME ?? '.', 'notes.json');

function load(): Note[] {
  try {
    return JSON.parse(fs.readFileSync(FILE, 'utf8')) as Note[];
  } catch {
    return [];
  }
}

const notes = load();

function add(text: unknown): Note | string {
  if (typeof text !== 'string' || !text.trim()) return 'text: must be a non-empty string';
  if (text.length > MAX_NOTE) return `text: must be at most ${MAX_NOTE} characters`;
  const note = { text, at: new Date().toISOString() };
  notes.push(note);
  // Written aside and renamed: a kill mid-write never leaves half a file.
  fs.writeFileSync(`${FILE}.tmp`, JSON.stringify(notes));
  fs.renameSync(`${FILE}.tmp`, FILE);
  console.log(`notes: added note ${notes.length}`);
  for (const client of sockets) client.send(JSON.stringify({ type: 'ADDED', note }));
  return note;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>Notes</title>
<h1>Notes</h1><form id="f"><input id="t" size="60" autofocus><button>Add</button></form><ul id="l"></ul>
<script>
const l = document.getElementById('l'), t = document.getElementById('t');
const show = (n) => { const li = document.createElement('li'); li.textContent = n.text; l.append(li); };
fetch('api/notes').then((r) => r.json()).then((ns) => ns.forEach(show));
const ws = new WebSocket(location.href.replace(/^http/, 'ws').replace(/[^/]*$/, '') + 'ws');
ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'ADDED') show(m.note); };
document.getElementById('f').onsubmit = (e) => { e.preventDefault(); ws.send(JSON.stringify({ text: t.value })); t.value = ''; };
</script>`;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json' });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://notes');
  if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
  if (req.method === 'GET' && url.pathname === '/') return send(res, 200, PAGE);
  if (url.pathname === '/api/notes' && req.method === 'GET') return send(res, 200, notes);
  if (url.pathname === '/api/notes' && req.method === 'POST') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body.length <= MAX_NOTE * 2 ? (body += d) : req.destroy()));
    req.on('end', () => {
      let text: unknown;
      try {
        text = (JSON.parse(body) as { text?: unknown }).text;
      } catch {
        return send(res, 400, { message: 'body: must be JSON' });
      }
      const made = add(text);
      return typeof made === 'string' ? send(res, 400, { message: made }) : send(res, 201, made);
    });
    return undefined;
  }
  return send(res, 404, { message: `${url.pathname}: not found` });
});

const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({ server, path: '/ws', maxPayload: MAX_NOTE * 2 });
wss.on('connection', (ws) => {
  sockets.add(ws);
  ws.on('close', () => sockets.delete(ws));
  ws.on('message', (data) => {
    let text: unknown;
    try {
      text = (JSON.parse(String(data)) as { text?: unknown }).text;
    } catch {
      text = undefined;
    }
    const made = add(text);
    if (typeof made === 'string') ws.send(JSON.stringify({ type: 'ERROR', message: made }));
  });
});

const host = process.env.STREAMSPACE_POD_IP ?? '127.0.0.1';
const port = Number(process.env.STREAMSPACE_PORT_STREAM ?? 8080);
server.listen(port, host, () => console.log(`notes: listening on http://${host}:${port}, ${notes.length} notes in ${FILE}`));
process.on('SIGTERM', () => {
  console.log('notes: SIGTERM, closing');
  for (const s of sockets) s.close(1001);
  server.close(() => process.exit(0));
});
