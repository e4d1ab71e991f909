/** The caller's quota and how much of it is in use. */
import type { MyQuota } from '../api/types';

function row(label: string, used: string | number, limit: string | number | undefined) {
  return <tr key={label}><th scope="row">{label}</th><td>{used}</td><td>{limit ?? 'unlimited'}</td></tr>;
}

export function QuotaUsage({ quota }: { quota: MyQuota | undefined }) {
  if (!quota) return null;
  const l = quota.quota?.spec.limits ?? {};
  return (
    <section className="card quota" aria-labelledby="quota-title">
      <h2 id="quota-title">Your quota{quota.quota ? ` (${quota.quota.metadata.name}, by ${quota.matchedBy})` : ': none applies'}</h2>
      <table data-testid="quota-usage">
        <thead><tr><th scope="col"></th><th scope="col">In use</th><th scope="col">Limit</th></tr></thead>
        <tbody>
          {row('Sessions', quota.usage.sessions, l.maxSessions)}
          {row('Running sessions', quota.usage.runningSessions, l.maxRunningSessions)}
          {row('CPU (running)', quota.usage.cpu, l.maxTotalCPU)}
          {row('Memory (running)', quota.usage.memory, l.maxTotalMemory)}
        </tbody>
      </table>
    </section>
  );
}
