/** Accounts and roles (built-in accounts). */
import { useState } from 'react';
import { api, must } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ActionForm } from '../../components/Form';
import { useAsync } from '../../useAsync';

interface Account { username: string; role: string; disabled?: boolean; email?: string; createdAt?: string }

export function UsersPage() {
  const { data, error, reload } = useAsync(async () => (must(await api.GET('/api/v1/users')) as unknown as { items: Account[] }).items);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('user');
  const [rowError, setRowError] = useState<unknown>();
  const patch = async (name: string, body: Record<string, unknown>) => {
    try {
      must(await api.PATCH('/api/v1/users/{username}', { params: { path: { username: name } }, body: body as never }));
      reload();
    } catch (err) {
      setRowError(err);
    }
  };
  return (
    <>
      <ErrorBanner error={error ?? rowError} />
      <ActionForm label="New account" submit="Create account" onDone={() => { setUsername(''); setPassword(''); reload(); }}
        action={async () => void must(await api.POST('/api/v1/users', { body: { username, password, role } as never }))}>
        <label>User name <input required value={username} onChange={(e) => setUsername(e.target.value)} /></label>
        <label>Password <input required type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <label>Role <select value={role} onChange={(e) => setRole(e.target.value)}><option>user</option><option>admin</option></select></label>
      </ActionForm>
      <table className="data">
        <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(data ?? []).map((u) => (
            <tr key={u.username}>
              <td>{u.username}</td>
              <td>
                <select aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => void patch(u.username, { role: e.target.value })}>
                  <option>user</option><option>admin</option>
                </select>
              </td>
              <td>{u.disabled ? 'disabled' : 'active'}</td>
              <td><button type="button" onClick={() => void patch(u.username, { disabled: !u.disabled })}>{u.disabled ? 'Enable' : 'Disable'}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
