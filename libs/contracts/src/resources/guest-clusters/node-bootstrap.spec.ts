import { guestDatastoreDir } from './node-bootstrap';

describe('a guest cluster\'s datastore', () => {
  it('is a folder named after its uid under the Supervisor\'s datastore', () => {
    expect(guestDatastoreDir('/srv/.data/datastore', '0f6a3c1e-8b2d-4e5f-9a7b-1c2d3e4f5a6b')).toBe('/srv/.data/datastore/guests/0f6a3c1e-8b2d-4e5f-9a7b-1c2d3e4f5a6b');
    expect(guestDatastoreDir('/srv/.data/datastore/', 'abc123')).toBe('/srv/.data/datastore/guests/abc123');
  });

  it.each(['', '..', '../etc', 'a/b', 'tkc-1', '-abc'])('is none for a uid that could name another folder (%j)', (uid) => {
    expect(guestDatastoreDir('/srv/.data/datastore', uid)).toBeUndefined();
  });
});
