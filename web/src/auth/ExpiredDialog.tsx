/** Shown over the page when the session ended: signing in again resumes what was under way. */
import { useEffect, useRef } from 'react';
import { useAuth } from './AuthProvider';
import { SignInForm } from './SignInForm';

export function ExpiredDialog() {
  const { expired, me } = useAuth();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (expired && !d.open) {
      d.showModal();
      // The user name is known: start at the password.
      d.querySelector<HTMLInputElement>('input[type="password"]')?.focus();
    }
    if (!expired && d.open) d.close();
  }, [expired]);
  return (
    <dialog ref={ref} aria-labelledby="expired-title" onCancel={(e) => e.preventDefault()}>
      <h2 id="expired-title">Your session has expired</h2>
      <p>Sign in again to carry on; nothing on the page is lost.</p>
      {expired && <SignInForm username={me?.username} />}
    </dialog>
  );
}
