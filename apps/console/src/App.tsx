import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type Session, SIGNED_OUT, tokenStore } from './api';
import { AgreementList } from './pages/AgreementList';
import { AgreementPage } from './pages/AgreementPage';
import { HistoryPage } from './pages/HistoryPage';
import { ProcessList } from './pages/ProcessList';
import { ProcessPage } from './pages/ProcessPage';
import { RecordPage } from './pages/RecordPage';
import { SignIn } from './pages/SignIn';
import { navigate, type Route, useRoute } from './router';

function NotAllowed({ what }: { what: string }) {
  return (
    <section>
      <h1>Not available</h1>
      <p>{what}</p>
    </section>
  );
}

/** Which page a route shows; what is offered follows the role (the API refuses the rest anyway). */
function page(route: Route, session: Session) {
  const [first, id, sub] = route.segments;
  const kind = first === 'processes' ? 'process' : 'agreement';
  if ((first === 'agreements' || first === 'processes') && id && sub === 'record')
    return session.role === 'operator' ? <RecordPage route={route} kind={kind} /> : <NotAllowed what="Recording needs an operator token." />;
  if ((first === 'agreements' || first === 'processes') && id && sub === 'history')
    return session.role === 'auditor' ? <HistoryPage route={route} kind={kind} /> : <NotAllowed what="History needs an auditor token." />;
  if (first === 'new' && (id === 'agreement' || id === 'process'))
    return session.role === 'operator' ? <RecordPage route={route} kind={id} /> : <NotAllowed what="Recording needs an operator token." />;
  if (first === 'agreements' && id) return <AgreementPage route={route} session={session} />;
  if (first === 'processes' && id) return <ProcessPage route={route} session={session} />;
  if (first === 'processes') return <ProcessList route={route} />;
  return <AgreementList route={route} />;
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(() => (tokenStore.get() ? tokenStore.session() : null));
  const signedIn = session !== null;
  useEffect(() => {
    if (!signedIn && route.segments[0] !== 'sign-in') navigate('#/sign-in');
  }, [signedIn, route.segments[0]]);
  useEffect(() => {
    const onSignedOut = () => setSession(null);
    window.addEventListener(SIGNED_OUT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT, onSignedOut);
  }, []);
  const signOut = () => {
    tokenStore.clear();
    setSession(null);
    navigate('#/sign-in');
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Agreements</span>
        {session && (
          <nav aria-label="Main">
            <a href="#/agreements">Agreements</a>
            <a href="#/processes">Processes</a>
            {session.role === 'operator' && <a href="#/new/agreement">New agreement</a>}
            {session.role === 'operator' && <a href="#/new/process">New process</a>}
            <span class="who">
              {session.name} ({session.role})
            </span>
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {session && route.segments[0] !== 'sign-in' ? (
          // One page instance per path (not per query): another stream starts with a fresh form.
          <Fragment key={route.segments.join('/')}>{page(route, session)}</Fragment>
        ) : (
          <SignIn onSignedIn={setSession} />
        )}
      </main>
    </>
  );
}
