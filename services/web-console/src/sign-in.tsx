import { useState } from 'preact/hooks';
import { messageOf, whoami } from './api';
import { tokenFromKubeconfig } from './kubeconfig';
import { Alert } from './widgets';

export interface Session {
  token: string;
  username: string;
  groups: string[];
}

/** Paste a token or choose a kubeconfig; the API's whoami checks it before anything else is shown. */
export function SignIn(props: { onSignedIn: (s: Session) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(props.notice);
  const [busy, setBusy] = useState(false);

  async function signIn(t: string) {
    setBusy(true);
    setError(undefined);
    try {
      const who = await whoami(t);
      props.onSignedIn({ token: t, ...who });
    } catch (err) {
      setError(`Sign-in failed: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  }

  async function fromFile(file: File | undefined) {
    if (!file) return;
    try {
      await signIn(tokenFromKubeconfig(await file.text()));
    } catch (err) {
      setError(messageOf(err));
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to OpenPacific</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) void signIn(token.trim());
        }}
      >
        <label for="token">Token</label>
        <input id="token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        <label for="kubeconfig">Or choose a kubeconfig file</label>
        <input id="kubeconfig" type="file" onChange={(e) => void fromFile(e.currentTarget.files?.[0])} />
      </p>
      <Alert message={error} />
    </main>
  );
}
