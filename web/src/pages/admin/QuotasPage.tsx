/** SessionQuotas: whom each covers, its limits, and the usage it reports; create one. */
import { useState } from 'react';
import { api, must } from '../../api/client';
import type { SessionQuota } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ActionForm } from '../../components/Form';
import { useAsync } from '../../useAsync';

interface QuotaWithStatus extends SessionQuota {
  status?: { usage?: { user: string; sessions?: number; runningSessions?: number; cpu?: string; memory?: string }[] };
}

function list(values: string[] | undefined): string {
  return values?.length ? values.join(', ') : '—';
}

export function QuotasPage() {
  const { data, error, reload } = useAsync(async () => (must(await api.GET('/api/v1/quotas')) as unknown as { items: QuotaWithStatus[] }).items);
  const [name, setName] = useState('');
  const [users, setUsers] = useState('');
  const [maxSessions, setMaxSessions] = useState('');
  const [maxRunning, setMaxRunning] = useState('');
  const create = async () => {
    const limits = { ...(maxSessions ? { maxSessions: Number(maxSessions) } : {}), ...(maxRunning ? { maxRunningSessions: Number(maxRunning) } : {}) };
    const spec = users.trim() ? { users: users.split(',').map((u) => u.trim()).filter(Boolean), limits } : { default: true, limits };
    must(await api.POST('/api/v1/quotas', { body: { name, spec } as never }));
  };
  const remove = async (quota: string) => {
    must(await api.DELETE('/api/v1/quotas/{id}', { params: { path: { id: quota } } }));
    reload();
  };
  return (
    <>
      <ErrorBanner error={error} />
      <ActionForm label="New quota" submit="Create quota" action={create} onDone={reload}>
        <label>Name <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Users (comma-separated; empty: default quota) <input value={users} onChange={(e) => setUsers(e.target.value)} /></label>
        <label>Max sessions <input type="number" min={0} value={maxSessions} onChange={(e) => setMaxSessions(e.target.value)} /></label>
        <label>Max running <input type="number" min={0} value={maxRunning} onChange={(e) => setMaxRunning(e.target.value)} /></label>
      </ActionForm>
      <table className="data">
        <thead><tr><th scope="col">Quota</th><th scope="col">Covers</th><th scope="col">Limits</th><th scope="col">Usage</th><th scope="col"></th></tr></thead>
        <tbody>
          {(data ?? []).map((q) => (
            <tr key={q.metadata.name}>
              <td>{q.metadata.name}</td>
              <td>{q.spec.default ? 'everyone else' : `users: ${list(q.spec.users)}; groups: ${list(q.spec.groups)}`}</td>
              <td>{Object.entries(q.spec.limits ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}</td>
              <td>{(q.status?.usage ?? []).map((u) => `${u.user}: ${u.sessions ?? 0} sessions, ${u.runningSessions ?? 0} running`).join('; ') || '—'}</td>
              <td><button type="button" className="danger" onClick={() => void remove(q.metadata.name).catch(() => reload())}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
