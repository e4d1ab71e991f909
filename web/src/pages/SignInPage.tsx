import { SignInForm } from '../auth/SignInForm';

export function SignInPage() {
  return (
    <main className="centered">
      <div className="card signin">
        <h1>Sign in to StreamSpace</h1>
        <SignInForm />
      </div>
    </main>
  );
}
