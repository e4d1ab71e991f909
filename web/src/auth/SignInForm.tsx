/** The sign-in form: a password form for built-in accounts, a button for the OIDC provider. */
import { useState, type FormEvent } from 'react';
import { useAuth } from './AuthProvider';
import { ErrorBanner } from '../components/ErrorBanner';

export function SignInForm({ username: fixedUser }: { username?: string }) {
  const { config, signIn, signInWithProvider } = useAuth();
  const [username, setUsername] = useState(fixedUser ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (config?.mode === 'oidc') {
    return <button type="button" className="primary" onClick={() => void signInWithProvider().catch(setError)}>Sign in with your organisation</button>;
  }
  if (config?.mode === 'proxy') return <p>Your proxy signs you in; reload the page once it has.</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <ErrorBanner error={error} />
      <label>User name
        <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus={!fixedUser} />
      </label>
      <label>Password
        <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} autoFocus={!!fixedUser} />
      </label>
      <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}
