/**
 * The chart's Grafana dashboard and PrometheusRules use only metric names the platform exports:
 * `streamspace up` runs the controllers, the webhooks and the API; a session is started through
 * the API (so the session, admission and request metrics have samples); then the controllers'
 * and the API's /metrics are scraped over HTTP and every name in every dashboard query and alert
 * expression must be among them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { apiRequest, startStreamspace, type StreamspaceProcess } from '../support/processes.ts';
import { CHART_DIR } from '../support/helm.ts';

const PASSWORD = 'correct-horse-battery-staple';
const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** The metric names a PromQL expression reads (label matchers, ranges, grouping and functions removed). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)]
    .filter((m) => !m[2] && !PROMQL_KEYWORDS.has(m[1].toLowerCase()))
    .map((m) => m[1]);
  return [...new Set(names)];
}

/** Every query of the dashboard, by panel title. */
function dashboardQueries(): [string, string][] {
  const dashboard = JSON.parse(fs.readFileSync(path.join(CHART_DIR, 'files/dashboard.json'), 'utf8'));
  return dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => [`panel "${p.title}"`, t.expr]));
}

/** Every alert expression of the chart's PrometheusRule template, by alert name (the expressions are not templated). */
function ruleExpressions(): [string, string][] {
  const text = fs.readFileSync(path.join(CHART_DIR, 'templates/monitoring.yaml'), 'utf8');
  return [...text.matchAll(/- alert: (\S+)\n\s+expr: (.+)\n/g)].map((m) => [`alert ${m[1]}`, m[2]]);
}

/** The names a Prometheus text exposition offers: samples, and declared families (a labelled family may have no sample yet). */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      names.add(type[1]);
      if (type[2] === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(type[1] + s);
      if (type[2] === 'summary') for (const s of ['_count', '_sum']) names.add(type[1] + s);
    } else if (line && !line.startsWith('#')) {
      names.add(/^[^{\s]+/.exec(line)![0]);
    }
  }
  return names;
}

void describe('monitoring', () => {
  let up: StreamspaceProcess;
  let exposed = new Set<string>();
  let controllerText = '';

  before(async () => {
    up = startStreamspace(['up', '--in-memory', '--port', '0', '--api-port', '0'], { STREAMSPACE_ADMIN_PASSWORD: PASSWORD, STREAMSPACE_METRICS_PORT: '0' });
    const [, api] = await up.waitFor(/StreamSpace API:\s+(http:\/\/\S+)/, 'the API URL', 120_000);
    const [, controllers] = /Controllers:\s+\/healthz, \/readyz, \/metrics at (http:\/\/\S+?);/.exec(up.out())!;
    const login = await apiRequest(api, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
    assert.equal(login.status, 200);
    const created = await apiRequest(api, 'POST', '/api/v1/sessions', login.json.accessToken, { template: 'firefox' });
    assert.equal(created.status, 202);
    await eventually('session Running', async () => {
      const s = await apiRequest(api, 'GET', `/api/v1/sessions/${created.json.metadata.name}`, login.json.accessToken);
      return s.json?.status?.phase === 'Running';
    }, 60_000);
    controllerText = await eventually('the Running session in the controllers\' metrics', async () => {
      const text = await (await fetch(`${controllers}/metrics`)).text();
      return /^streamspace_active_sessions_total\{user="admin",template="firefox"\} 1$/m.test(text) ? text : undefined;
    }, 30_000);
    const apiText = await (await fetch(`${api}/metrics`)).text();
    exposed = new Set([...exposedNames(controllerText), ...exposedNames(apiText)]);
  }, { timeout: 180_000 });

  after(async () => {
    await up?.kill('SIGKILL');
  });

  test('the PromQL name extraction finds metric names and nothing else', () => {
    assert.deepEqual(metricNames('histogram_quantile(0.9, sum by (le, trigger) (rate(a_seconds_bucket{trigger="wake"}[10m]))) > 60'), ['a_seconds_bucket']);
    assert.deepEqual(metricNames('sum(rate(x_total{code=~"5.."}[5m])) / sum(rate(x_total[5m])) > 0.05 or absent(y)'), ['x_total', 'y']);
    assert.deepEqual(metricNames('min(cert_expiry) - time() < 7 * 24 * 3600'), ['cert_expiry']);
  });

  test('the controllers export the seed\'s streamspace_active_sessions_total{user,template} gauge', () => {
    assert.match(controllerText, /^# TYPE streamspace_active_sessions_total gauge$/m);
  });

  test('every metric the dashboard and the alert rules use is exported', () => {
    const queries = [...dashboardQueries(), ...ruleExpressions()];
    assert.ok(queries.length >= 20, `found ${queries.length} queries`);
    const alerts = ruleExpressions().map(([where]) => where);
    for (const a of ['SessionStartFailures', 'SlowWakes', 'ReconcileErrors', 'WebhookLatency', 'QueueBacklog']) assert.ok(alerts.includes(`alert StreamSpace${a}`), a);
    const missing = queries.flatMap(([where, expr]) => {
      const names = metricNames(expr);
      assert.ok(names.length > 0, `${where} reads a metric: ${expr}`);
      return names.filter((n) => !exposed.has(n)).map((n) => `${where}: ${n}`);
    });
    assert.deepEqual(missing, [], 'metric names no /metrics endpoint exports');
  });
});
