import { useEffect, useState } from 'preact/hooks';
import { ApiError, forgetAccess, messageOf, storedToken, storeToken, whoami } from './api';
import { forgetDiscovery } from './discovery';
import { useCan } from './hooks';
import { Link, navigate, useRoute } from './router';
import { Session, SignIn } from './sign-in';
import { HostsPage } from './pages/hosts';
import { NamespacesPage } from './pages/namespaces';
import { NamespacePage } from './pages/namespace';
import { ObjectPage } from './pages/object';
import { CreatePage } from './pages/create';
import { AuditPage } from './pages/audit';

const WHOAMI_ATTEMPTS = 5;
const RETRY_MS = 1000;

export function App() {
  // A stored token opens the page at once: its lists load while whoami asks who it belongs to (a reload is
  // one round trip shorter); a token the API no longer takes ends the session when whoami says so.
  const [session, setSession] = useState<Session | null>(() => {
    const token = storedToken();
    return token ? { token, username: '', groups: [] } : null;
  });
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    const token = storedToken();
    if (!token) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = (attempt: number) =>
      whoami(token).then(
        (who) => setSession((s) => (s?.token === token ? { token, ...who } : s)),
        (err) => {
          if (storedToken() !== token) return;
          // Only the API's refusal ends a session; a request the network lost (Chromium aborts requests when
          // the machine's interfaces change) is asked again.
          if (!(err instanceof ApiError) && attempt < WHOAMI_ATTEMPTS) return void (timer = setTimeout(() => void check(attempt + 1), RETRY_MS));
          storeToken(null);
          setNotice(`Your session ended: ${messageOf(err)}`);
          setSession(null);
        },
      );
    void check(1);
    return () => clearTimeout(timer);
  }, []);
  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          storeToken(s.token);
          setSession(s);
        }}
      />
    );
  }
  const signOut = () => {
    storeToken(null);
    forgetAccess();
    forgetDiscovery();
    setNotice(undefined);
    setSession(null);
  };
  return <Shell session={session} onSignOut={signOut} />;
}

function Shell(props: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const mayAudit = useCan({ verb: 'list', group: 'audit.openpacific.io', resource: 'auditrecords' });
  const section = route.split('/')[0] || 'hosts';
  useEffect(() => {
    if (route === '') navigate('hosts');
  }, [route]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">OpenPacific</span>
        <nav aria-label="Main">
          <ul>
            <li><Link to="hosts" current={section === 'hosts'}>Hosts</Link></li>
            <li><Link to="namespaces" current={section === 'namespaces'}>Namespaces</Link></li>
            <li><Link to="create" current={section === 'create'}>Create</Link></li>
            {mayAudit && <li><Link to="audit" current={section === 'audit'}>Audit</Link></li>}
          </ul>
        </nav>
        <span class="user">
          Signed in as <strong>{props.session.username || '…'}</strong>
        </span>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page(props: { route: string }) {
  const parts = props.route.split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case '':
    case 'hosts':
      return <HostsPage />;
    case 'namespaces':
      return parts[1] ? <NamespacePage namespace={parts[1]} /> : <NamespacesPage />;
    case 'r':
      return <ObjectPage key={props.route} apiPath={'/' + props.route.slice(2)} />;
    case 'create':
      return <CreatePage />;
    case 'audit':
      return <AuditPage />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>The console has no page “{props.route}”.</p>
        </>
      );
  }
}
