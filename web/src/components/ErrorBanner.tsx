/** An error as the user reads it: the API's message (a webhook's exact reason included), and its code. */
import { ApiFailure } from '../api/client';

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiFailure ? error.code : undefined;
  return (
    <div className="error" role="alert">
      <strong>{titleOf(error)}</strong> <span data-testid="error-message">{message}</span>
      {code && <small> ({code})</small>}
    </div>
  );
}

function titleOf(error: unknown): string {
  if (!(error instanceof ApiFailure)) return 'Something went wrong:';
  if (error.code === 'SS_ERR_ADMISSION_DENIED') return 'Refused by the cluster:';
  if (error.code === 'SS_ERR_FORBIDDEN') return 'Not allowed:';
  if (error.status === 400) return 'Invalid input:';
  return 'Error:';
}
