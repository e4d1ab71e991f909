/** The audit log with filters (actor, action, target, result), newest first, paged. */
import { useState } from 'react';
import { api, must } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useAsync } from '../../useAsync';

interface Filters { actor: string; action: string; target: string; result: string }

async function loadPage(f: Filters, cursor: string | undefined) {
  const query = {
    ...(f.actor ? { actor: f.actor } : {}), ...(f.action ? { action: f.action } : {}), ...(f.target ? { target: f.target } : {}),
    ...(f.result ? { result: Number(f.result) } : {}), ...(cursor ? { cursor } : {}), limit: 50,
  };
  return must(await api.GET('/api/v1/audit', { params: { query } }));
}

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>({ actor: '', action: '', target: '', result: '' });
  const [filters, setFilters] = useState(draft);
  const [cursor, setCursor] = useState<string>();
  const { data, error } = useAsync(() => loadPage(filters, cursor), [filters, cursor]);
  const field = (key: keyof Filters, label: string) => (
    <label>{label} <input value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} /></label>
  );
  return (
    <>
      <form className="card inline-form" aria-label="Audit filters" onSubmit={(e) => { e.preventDefault(); setCursor(undefined); setFilters(draft); }}>
        {field('actor', 'Actor')}{field('action', 'Action')}{field('target', 'Target')}{field('result', 'HTTP status')}
        <button type="submit" className="primary">Filter</button>
      </form>
      <ErrorBanner error={error} />
      <table className="data">
        <thead>
          <tr>{['When', 'Actor', 'Action', 'Target', 'Result', 'From', 'Detail'].map((h) => <th scope="col" key={h}>{h}</th>)}</tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((e) => (
            <tr key={e.id}>{[e.at, e.actor, e.action, e.target, e.result, e.sourceIp, e.detail].map((v, i) => <td key={i}>{v}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {data?.nextCursor && <button type="button" onClick={() => setCursor(data.nextCursor)}>Older entries</button>}
    </>
  );
}
