/** Small form helpers shared by the admin pages. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorBanner } from './ErrorBanner';

/** A form whose submit runs `action`, shows its error, and resets via `onDone`. */
export function ActionForm({ label, submit, action, children, onDone }: {
  label: string; submit: string; action: () => Promise<void>; children: ReactNode; onDone?: () => void;
}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
      onDone?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card inline-form" aria-label={label} onSubmit={(e) => void run(e)}>
      {children}
      <button type="submit" className="primary" disabled={busy}>{submit}</button>
      <ErrorBanner error={error} />
    </form>
  );
}
