import { useState } from 'preact/hooks';
import { ApiError, call, type Session, tokenStore } from '../api';
import { navigate } from '../router';

/** Sign in with an API token; the server says whose it is and its role (GET /v1/whoami). */
export function SignIn({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { body } = await call<Session>('/v1/whoami', { token: token.trim() });
      tokenStore.set(token.trim(), body);
      onSignedIn(body);
      navigate('#/agreements');
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This token is not known to the server.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <p>Use an API token (from API_KEYS, or DATA_DIR/credentials.json). It is kept for this tab only.</p>
      <form onSubmit={submit}>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        {error && (
          <div role="alert" class="alert">
            {error}
          </div>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}
