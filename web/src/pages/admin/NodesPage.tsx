/**
 * Nodes with their sessions, and node operations (cordon, uncordon, drain, labels, taints) with
 * their progress. Operations arrive over the WebSocket; each change (a session moving, an
 * operation's phase) reloads the node statistics, so sessions are seen leaving a drained node.
 */
import { useEffect, useState } from 'react';
import { api, must } from '../../api/client';
import type { KubeNode, NodeOperation } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ActionForm } from '../../components/Form';
import type { LiveState } from '../../live';

interface NodeStats { name: string; requested?: { cpu?: string; memory?: string }; pods?: number; sessions?: string[] }
interface NodeView { node: KubeNode; stats: NodeStats }

async function loadNodes(): Promise<NodeView[]> {
  const nodes = (must(await api.GET('/api/v1/nodes')) as unknown as { items: KubeNode[] }).items;
  return Promise.all(nodes.map(async (node) => ({
    node, stats: must(await api.GET('/api/v1/nodes/{id}/stats', { params: { path: { id: node.metadata.name } } })) as unknown as NodeStats,
  })));
}

async function operate(node: string, operation: string, parameters?: Record<string, unknown>): Promise<void> {
  must(await api.POST('/api/v1/nodes/{id}/operations', { params: { path: { id: node } }, body: { operation, ...(parameters ? { parameters } : {}) } as never }));
}

/** `key=value` (label) or `key=value:Effect` (taint). */
function parseKeyValue(text: string): { key: string; value: string; effect?: string } {
  const [kv, effect] = text.split(':');
  const [key, value = ''] = kv.split('=');
  return { key: key.trim(), value: value.trim(), effect: effect?.trim() };
}

/** Labels an admin set (not the ones kubelets and Kubernetes own). */
function userLabels(node: KubeNode): [string, string][] {
  return Object.entries(node.metadata.labels ?? {}).filter(([k]) => !/(^|\.)kubernetes\.io\//.test(k));
}

function Removable({ title, items }: { title: string; items: { key: string; text: string; remove: () => void }[] }) {
  return (
    <div className="removable">
      <span className="muted">{title}:</span>
      {items.length ? items.map((i) => (
        <span key={i.key} className="chip">{i.text} <button type="button" aria-label={`Remove ${i.text}`} onClick={i.remove}>×</button></span>
      )) : <span className="muted"> —</span>}
    </div>
  );
}

function NodeCard({ view, onError }: { view: NodeView; onError: (e: unknown) => void }) {
  const name = view.node.metadata.name;
  const [label, setLabel] = useState('');
  const [taint, setTaint] = useState('');
  const run = (op: string, parameters?: Record<string, unknown>) => void operate(name, op, parameters).catch(onError);
  const ready = view.node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const cordoned = !!view.node.spec?.unschedulable;
  return (
    <li className="card node" data-testid={`node-${name}`} aria-label={`Node ${name}`}>
      <div className="session-head">
        <h2>{name}</h2>
        <span className={`phase ${ready ? 'phase-running' : 'phase-failed'}`}>{ready ? 'Ready' : 'Not ready'}{cordoned ? ', cordoned' : ''}</span>
      </div>
      <p className="muted">Requested CPU {view.stats.requested?.cpu}, memory {view.stats.requested?.memory}; {view.stats.pods} pods</p>
      <Removable title="Labels" items={userLabels(view.node).map(([k, v]) => ({ key: k, text: `${k}=${v}`, remove: () => run('unlabel', { labels: { [k]: '' } }) }))} />
      <Removable title="Taints" items={(view.node.spec?.taints ?? []).map((t) => ({
        key: `${t.key}:${t.effect}`, text: `${t.key}=${t.value ?? ''}:${t.effect}`, remove: () => run('untaint', { taint: { key: t.key, effect: t.effect } }),
      }))} />
      <h3>Sessions</h3>
      <ul className="sessions-on-node" data-testid="node-sessions">{(view.stats.sessions ?? []).map((s) => <li key={s}>{s}</li>)}</ul>
      {!view.stats.sessions?.length && <p className="muted">None</p>}
      <div className="actions">
        {cordoned ? <button type="button" onClick={() => run('uncordon')}>Uncordon</button> : <button type="button" onClick={() => run('cordon')}>Cordon</button>}
        <button type="button" className="danger" onClick={() => run('drain', { drain: { gracePeriodSeconds: 0 } })}>Drain</button>
      </div>
      <ActionForm label={`Label ${name}`} submit="Set label" action={async () => {
        const kv = parseKeyValue(label);
        await operate(name, 'label', { labels: { [kv.key]: kv.value } });
      }} onDone={() => setLabel('')}>
        <label>Label <input placeholder="key=value" required value={label} onChange={(e) => setLabel(e.target.value)} /></label>
      </ActionForm>
      <ActionForm label={`Taint ${name}`} submit="Add taint" action={async () => {
        const kv = parseKeyValue(taint);
        await operate(name, 'taint', { taint: { key: kv.key, value: kv.value, effect: kv.effect || 'NoSchedule' } });
      }} onDone={() => setTaint('')}>
        <label>Taint <input placeholder="key=value:NoSchedule" required value={taint} onChange={(e) => setTaint(e.target.value)} /></label>
      </ActionForm>
    </li>
  );
}

function Operations({ operations }: { operations: NodeOperation[] }) {
  const sorted = [...operations].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
  return (
    <section aria-labelledby="ops-title">
      <h2 id="ops-title">Operations</h2>
      <table className="data" data-testid="operations">
        <thead><tr><th scope="col">Operation</th><th scope="col">Node</th><th scope="col">Phase</th><th scope="col">Progress</th></tr></thead>
        <tbody aria-live="polite">
          {sorted.map((o) => (
            <tr key={o.metadata.name} data-testid={`operation-${o.spec.operation}-${o.spec.nodeName}`}>
              <td>{o.spec.operation}</td><td>{o.spec.nodeName}</td><td data-testid="operation-phase">{o.status?.phase ?? 'Pending'}</td><td>{o.status?.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function NodesPage({ live }: { live: LiveState }) {
  const [views, setViews] = useState<NodeView[]>([]);
  const [known, setKnown] = useState<NodeOperation[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    void api.GET('/api/v1/node-operations').then((r) => setKnown((must(r) as unknown as { items: NodeOperation[] }).items), setError);
  }, []);
  // Every pushed change may have moved a session or changed a node: reload, coalescing bursts.
  useEffect(() => {
    let current = true;
    const t = setTimeout(() => void loadNodes().then((v) => current && setViews(v), (e: unknown) => current && setError(e)), 150);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [live.version]);
  const operations = [...known.filter((k) => !live.operations.some((o) => o.metadata.name === k.metadata.name)), ...live.operations];
  return (
    <>
      <ErrorBanner error={error} />
      <ul className="grid">{views.map((v) => <NodeCard key={v.node.metadata.name} view={v} onError={setError} />)}</ul>
      <Operations operations={operations} />
    </>
  );
}
