import { encryptWebConsoleResponse, webConsolePublicKey, webConsoleTicketUrl } from '@openpacific/objects';
import { newConsoleKeys } from './vm-console-keys';

// Node's WebCrypto is the browser's API: the same calls the console makes, against VM Operator's side as the cluster runs it.
describe('console keys made with WebCrypto', () => {
  it('hand VM Operator a public key it accepts, and read the ticket URL it encrypts', async () => {
    const keys = await newConsoleKeys();
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);
    const key = webConsolePublicKey(keys.publicKeyPem);
    expect(key).toHaveProperty('asymmetricKeyType', 'rsa');
    expect(key).toHaveProperty('asymmetricKeyDetails.modulusLength', 2048);
    const url = webConsoleTicketUrl('127.0.0.1:6443', 'T0k3n_-abcdefghijklmnopqrstuvwx');
    expect(await keys.decrypt(encryptWebConsoleResponse(keys.publicKeyPem, url))).toBe(url);
  });

  it('keep the private key inside the key store', async () => {
    const subtle = crypto.subtle;
    const made: CryptoKeyPair[] = [];
    const spy = { ...subtle, generateKey: async (...args: Parameters<SubtleCrypto['generateKey']>) => {
      const pair = (await subtle.generateKey(...args)) as CryptoKeyPair;
      made.push(pair);
      return pair;
    } } as unknown as SubtleCrypto;
    spy.exportKey = subtle.exportKey.bind(subtle);
    spy.decrypt = subtle.decrypt.bind(subtle);
    await newConsoleKeys(spy);
    expect(made[0].privateKey.extractable).toBe(false);
    expect(made[0].privateKey.algorithm).toMatchObject({ name: 'RSA-OAEP', hash: { name: 'SHA-512' } });
    await expect(subtle.exportKey('pkcs8', made[0].privateKey)).rejects.toThrow();
  });

  it("say what is wrong with a response that is not theirs or not base64", async () => {
    const mine = await newConsoleKeys();
    const other = await newConsoleKeys();
    await expect(mine.decrypt(encryptWebConsoleResponse(other.publicKeyPem, 'wss://h/ticket/x'))).rejects.toThrow("does not decrypt with this page's key");
    await expect(mine.decrypt('not base64!')).rejects.toThrow('is not base64');
  });
});
