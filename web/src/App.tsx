/** The frame: header with navigation, the page of the current route, the session-expired dialog. */
import { useEffect, useRef, type ReactNode } from 'react';
import { useAuth } from './auth/AuthProvider';
import { ExpiredDialog } from './auth/ExpiredDialog';
import { SignInPage } from './pages/SignInPage';
import { CatalogPage } from './pages/CatalogPage';
import { SessionsPage } from './pages/SessionsPage';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { UsersPage } from './pages/admin/UsersPage';
import { TemplatesPage } from './pages/admin/TemplatesPage';
import { QuotasPage } from './pages/admin/QuotasPage';
import { NodesPage } from './pages/admin/NodesPage';
import { AuditPage } from './pages/admin/AuditPage';
import { useHashRoute } from './router';
import { useLive, type LiveState } from './live';

interface Page {
  path: string;
  title: string;
  admin?: boolean;
  render(live: LiveState): ReactNode;
}

const PAGES: Page[] = [
  { path: '/', title: 'Catalog', render: () => <CatalogPage /> },
  { path: '/sessions', title: 'My sessions', render: (live) => <SessionsPage live={live} /> },
  { path: '/api-keys', title: 'API keys', render: () => <ApiKeysPage /> },
  { path: '/admin/users', title: 'Users', admin: true, render: () => <UsersPage /> },
  { path: '/admin/templates', title: 'Templates', admin: true, render: () => <TemplatesPage /> },
  { path: '/admin/quotas', title: 'Quotas', admin: true, render: () => <QuotasPage /> },
  { path: '/admin/nodes', title: 'Nodes', admin: true, render: (live) => <NodesPage live={live} /> },
  { path: '/admin/audit', title: 'Audit log', admin: true, render: () => <AuditPage /> },
];

function Nav({ route, isAdmin }: { route: string; isAdmin: boolean }) {
  const link = (p: Page) => (
    <li key={p.path}><a href={`#${p.path}`} aria-current={route === p.path ? 'page' : undefined}>{p.title}</a></li>
  );
  return (
    <nav aria-label="Main">
      <ul>{PAGES.filter((p) => !p.admin).map(link)}</ul>
      {isAdmin && <ul aria-label="Administration"><li className="nav-heading">Admin</li>{PAGES.filter((p) => p.admin).map(link)}</ul>}
    </nav>
  );
}

function Content({ page, isAdmin, live }: { page: Page | undefined; isAdmin: boolean; live: LiveState }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => heading.current?.focus(), [page]);
  if (!page) return <><h1 ref={heading} tabIndex={-1}>Not found</h1><p>No such page. <a href="#/">Back to the catalog</a>.</p></>;
  if (page.admin && !isAdmin) return <><h1 ref={heading} tabIndex={-1}>Not allowed</h1><p role="alert">This page is for administrators.</p></>;
  return <><h1 ref={heading} tabIndex={-1}>{page.title}</h1>{page.render(live)}</>;
}

export function App() {
  const { me, loading, startupError, signOut, config } = useAuth();
  const route = useHashRoute();
  const live = useLive(!!me);
  if (loading) return <main className="centered"><p aria-live="polite">Loading…</p></main>;
  if (startupError) return <main className="centered"><p role="alert">The API did not answer: {startupError}</p></main>;
  if (!me) return <SignInPage />;
  const isAdmin = me.role === 'admin';
  return (
    <div className="layout">
      <a className="skip" href="#main">Skip to content</a>
      <header>
        <a className="brand" href="#/">StreamSpace</a>
        <Nav route={route} isAdmin={isAdmin} />
        <div className="user">
          <span data-testid="whoami">{me.username}{isAdmin ? ' (admin)' : ''}</span>
          {config?.mode !== 'proxy' && <button type="button" onClick={() => void signOut()}>Sign out</button>}
        </div>
      </header>
      <main id="main">
        <Content page={PAGES.find((p) => p.path === route)} isAdmin={isAdmin} live={live} />
      </main>
      <ExpiredDialog />
    </div>
  );
}
