import { launchChromium } from './chromium';

describe('launchChromium', () => {
  it('fails, saying how to install Chromium, when the browser is missing (the browser tests never skip)', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toMatchObject({
      code: 'TESTING.NO_CHROMIUM',
      message: expect.stringContaining('apt-get install chromium'),
    });
  });
});
