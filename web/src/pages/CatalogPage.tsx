/**
 * The catalog: templates with icon, description, category and tags; search and a category
 * filter; launch with optional resources; the quota usage before and after a launch.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import type { MyQuota, Template } from '../api/types';
import { ErrorBanner } from '../components/ErrorBanner';
import { QuotaUsage } from '../components/QuotaUsage';
import { useAsync } from '../useAsync';

async function loadCatalog(): Promise<{ templates: Template[]; quota: MyQuota }> {
  const [t, q] = await Promise.all([api.GET('/api/v1/templates'), api.GET('/api/v1/quotas/me')]);
  return { templates: (must(t).items ?? []) as unknown as Template[], quota: must(q) as unknown as MyQuota };
}

function matches(t: Template, search: string, category: string): boolean {
  if (category && (t.spec.category ?? 'Other') !== category) return false;
  const text = [t.metadata.name, t.spec.displayName, t.spec.description, t.spec.category, ...(t.spec.tags ?? [])].join(' ').toLowerCase();
  return search.trim().toLowerCase().split(/\s+/).every((word) => text.includes(word));
}

function Icon({ t }: { t: Template }) {
  const [broken, setBroken] = useState(false);
  if (t.spec.icon && !broken) return <img className="icon" src={t.spec.icon} alt="" width={48} height={48} onError={() => setBroken(true)} />;
  return <span className="icon placeholder" aria-hidden="true">{(t.spec.displayName ?? t.metadata.name).slice(0, 1).toUpperCase()}</span>;
}

function LaunchForm({ t, onLaunched }: { t: Template; onLaunched: (name: string) => void }) {
  const [cpu, setCpu] = useState('');
  const [memory, setMemory] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const resources = cpu || memory ? { limits: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } } : undefined;
      const created = must(await api.POST('/api/v1/sessions', { body: { template: t.metadata.name, ...(resources ? { resources } : {}) } as never })) as { metadata: { name: string } };
      onLaunched(created.metadata.name);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const id = `launch-${t.metadata.name}`;
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={`Launch ${t.spec.displayName ?? t.metadata.name}`}>
      <details>
        <summary>Resources (optional)</summary>
        <label htmlFor={`${id}-cpu`}>CPU limit</label>
        <input id={`${id}-cpu`} placeholder={String(t.spec.defaultResources?.limits?.cpu ?? 'template default')} value={cpu} onChange={(e) => setCpu(e.target.value)} />
        <label htmlFor={`${id}-memory`}>Memory limit</label>
        <input id={`${id}-memory`} placeholder={t.spec.defaultResources?.limits?.memory ?? 'template default'} value={memory} onChange={(e) => setMemory(e.target.value)} />
      </details>
      <ErrorBanner error={error} />
      <button type="submit" className="primary" disabled={busy}>{busy ? 'Launching…' : 'Launch'}</button>
    </form>
  );
}

function TemplateCard({ t, onLaunched }: { t: Template; onLaunched: (name: string) => void }) {
  return (
    <li className="card template" data-testid={`template-${t.metadata.name}`}>
      <div className="template-head">
        <Icon t={t} />
        <div>
          <h2>{t.spec.displayName ?? t.metadata.name}</h2>
          <span className="category">{t.spec.category ?? 'Other'}</span>
        </div>
      </div>
      <p>{t.spec.description ?? 'No description.'}</p>
      {!!t.spec.tags?.length && <ul className="tags" aria-label="Tags">{t.spec.tags.map((tag) => <li key={tag}>{tag}</li>)}</ul>}
      <LaunchForm t={t} onLaunched={onLaunched} />
    </li>
  );
}

export function CatalogPage() {
  const { data, error, reload } = useAsync(loadCatalog);
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [launched, setLaunched] = useState<string>();
  const categories = useMemo(() => [...new Set((data?.templates ?? []).map((t) => t.spec.category ?? 'Other'))].sort(), [data]);
  const shown = (data?.templates ?? []).filter((t) => matches(t, search, category));
  const onLaunched = (name: string) => {
    setLaunched(name);
    reload();
  };
  return (
    <>
      <ErrorBanner error={error} />
      {launched && <p className="notice" role="status">Launched <strong>{launched}</strong>. <a href="#/sessions">Follow it in My sessions</a>.</p>}
      <QuotaUsage quota={data?.quota} />
      <div className="filters" role="search">
        <label>Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, description, tag" /></label>
        <label>Category
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">All</option>
            {categories.map((c) => <option key={c}>{c}</option>)}
          </select>
        </label>
      </div>
      {data && !shown.length && <p>No template matches.</p>}
      <ul className="grid">{shown.map((t) => <TemplateCard key={t.metadata.name} t={t} onLaunched={onLaunched} />)}</ul>
    </>
  );
}
