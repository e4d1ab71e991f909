/**
 * Templates: the list, and a new one from YAML. The API's validation error names the field
 * (`body.spec.vnc.port`); the editor shows it next to that line of the YAML.
 */
import { useState, type FormEvent } from 'react';
import { load as loadYaml } from 'js-yaml';
import { api, ApiFailure, must } from '../../api/client';
import type { Template } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useAsync } from '../../useAsync';

const EXAMPLE = `name: my-template
spec:
  displayName: My template
  description: What it offers
  category: Browsers
  baseImage: lscr.io/linuxserver/firefox:latest
  tags: [web]
  vnc:
    enabled: true
    port: 3000
`;

/** The line of `text` (1-based) holding the last key of a dotted field path, best effort. */
function lineOf(text: string, field: string | undefined): number | undefined {
  const key = field?.replace(/^body\./, '').split('.').filter((p) => !/^\d+$/.test(p)).pop();
  if (!key) return undefined;
  const index = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`));
  return index >= 0 ? index + 1 : undefined;
}

function parse(text: string): { name: string; spec: unknown } {
  const doc = loadYaml(text) as { name?: string; metadata?: { name?: string }; spec?: unknown } | undefined;
  if (!doc || typeof doc !== 'object') throw new Error('the YAML must be a mapping with name and spec');
  return { name: doc.name ?? doc.metadata?.name ?? '', spec: doc.spec };
}

export function TemplatesPage() {
  const { data, error, reload } = useAsync(async () => (must(await api.GET('/api/v1/templates')).items ?? []) as unknown as Template[]);
  const [text, setText] = useState(EXAMPLE);
  const [problem, setProblem] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    setSaved(undefined);
    try {
      const body = parse(text);
      must(await api.POST('/api/v1/templates', { body: body as never }));
      setSaved(body.name);
      reload();
    } catch (err) {
      setProblem(err);
    }
  };
  const field = problem instanceof ApiFailure ? problem.field : undefined;
  const line = lineOf(text, field);
  return (
    <>
      <ErrorBanner error={error} />
      <form className="card stack" aria-label="New template from YAML" onSubmit={(e) => void submit(e)}>
        <label htmlFor="template-yaml" className="plain">Template YAML with <code>name</code> and <code>spec</code></label>
        <textarea id="template-yaml" rows={14} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)}
          aria-invalid={!!problem} aria-describedby={problem ? 'template-problem' : undefined} />
        {!!problem && (
          <div id="template-problem" className="error" role="alert" data-testid="field-error">
            {field && <strong>{field.replace(/^body\./, '')}{line ? ` (line ${line})` : ''}: </strong>}
            {problem instanceof Error ? problem.message : String(problem)}
          </div>
        )}
        {saved && <p className="notice" role="status">Created template {saved}.</p>}
        <button type="submit" className="primary">Create template</button>
      </form>
      <table className="data">
        <thead><tr><th scope="col">Name</th><th scope="col">Display name</th><th scope="col">Category</th><th scope="col">Image</th><th scope="col">Valid</th></tr></thead>
        <tbody>
          {(data ?? []).map((t) => (
            <tr key={t.metadata.name}>
              <td>{t.metadata.name}</td><td>{t.spec.displayName}</td><td>{t.spec.category}</td><td>{t.spec.baseImage}</td>
              <td>{t.status?.valid === false ? `no: ${t.status.message}` : 'yes'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
