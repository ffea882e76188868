import { isTransientNavigationError, launchFirefox } from './firefox';

describe('launchFirefox', () => {
  it('fails, saying how to install Firefox ESR, when the browser is missing (the browser tests never skip)', async () => {
    await expect(launchFirefox('/nonexistent/firefox-esr')).rejects.toMatchObject({
      code: 'TESTING.NO_FIREFOX',
      message: expect.stringContaining('apt-get install firefox-esr'),
    });
  });
});

describe('isTransientNavigationError', () => {
  it('tries again when the network was cut under the navigation, not when the server refused or the URL is wrong', () => {
    expect(isTransientNavigationError(new Error('NS_ERROR_NET_RESET at https://127.0.0.1:6443/console/'))).toBe(true);
    expect(isTransientNavigationError(new Error('NS_ERROR_NET_INTERRUPT'))).toBe(true);
    expect(isTransientNavigationError(new Error('NS_ERROR_CONNECTION_REFUSED at https://127.0.0.1:1/'))).toBe(false);
    expect(isTransientNavigationError(new Error('NS_ERROR_UNKNOWN_HOST'))).toBe(false);
    expect(isTransientNavigationError(undefined)).toBe(false);
  });
});
