/** The caller's API keys: create (the key is shown once), list, revoke. */
import { useState } from 'react';
import { api, must } from '../api/client';
import { ErrorBanner } from '../components/ErrorBanner';
import { ActionForm } from '../components/Form';
import { useAsync } from '../useAsync';
import { useAuth } from '../auth/AuthProvider';

interface ApiKey { id: string; name: string; username?: string; createdAt?: string; expiresAt?: string | null; lastUsedAt?: string | null; revokedAt?: string }

export function ApiKeysPage() {
  const { me } = useAuth();
  const [all, setAll] = useState(false);
  const { data, error, reload } = useAsync(
    async () => (must(await api.GET('/api/v1/api-keys', { params: { query: all ? { all: true } : {} } })) as unknown as { items: ApiKey[] }).items, [all]);
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<string>();
  const [revokeError, setRevokeError] = useState<unknown>();
  const create = async () => {
    const body = { name, ...(days ? { expiresInDays: Number(days) } : {}) };
    const answer = must(await api.POST('/api/v1/api-keys', { body: body as never })) as unknown as { key: string };
    setCreated(answer.key);
  };
  const revoke = async (id: string) => {
    try {
      must(await api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } }));
      reload();
    } catch (err) {
      setRevokeError(err);
    }
  };
  return (
    <>
      <ErrorBanner error={error ?? revokeError} />
      <ActionForm label="New API key" submit="Create key" action={create} onDone={() => { setName(''); reload(); }}>
        <label>Name <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Expires in days <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} /></label>
      </ActionForm>
      {created && <p className="notice" role="status">Your new key (shown once): <code>{created}</code></p>}
      {me?.role === 'admin' && <label className="checkbox"><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Everyone's keys</label>}
      <table className="data">
        <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
        <tbody>
          {(data ?? []).map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td><td>{k.username}</td><td>{k.createdAt}</td><td>{k.expiresAt ?? 'never'}</td><td>{k.lastUsedAt ?? '—'}</td>
              <td>{k.revokedAt ? 'revoked' : <button type="button" className="danger" aria-label={`Revoke ${k.name}`} onClick={() => void revoke(k.id)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
