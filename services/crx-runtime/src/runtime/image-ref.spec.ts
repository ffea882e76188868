import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileImageRef, importedImageRef, qualifiedRepository } from './image-ref';
import { parseImageReference } from './image-store';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('image ids', () => {
  it('write a Docker Hub repository out in full, library/ for a one-part name', () => {
    expect(qualifiedRepository('app')).toBe('docker.io/library/app');
    expect(qualifiedRepository('team/app')).toBe('docker.io/team/app');
    expect(qualifiedRepository('team/sub/app')).toBe('docker.io/team/sub/app');
  });

  it('keep a repository whose first part names a registry as it is', () => {
    expect(qualifiedRepository('registry.local:5000/team/app')).toBe('registry.local:5000/team/app');
    expect(qualifiedRepository('registry.local/hello')).toBe('registry.local/hello');
    expect(qualifiedRepository('localhost/app')).toBe('localhost/app');
    expect(qualifiedRepository('myhost:5000/app')).toBe('myhost:5000/app');
    expect(qualifiedRepository('MyRegistry/app')).toBe('MyRegistry/app');
  });

  it('name an imported image by its repository in full and its digest, whichever way its name was written', () => {
    for (const name of ['app:1.0', 'docker.io/library/app:1.0', 'library/app', 'index.docker.io/library/app:latest']) {
      expect(importedImageRef(parseImageReference(name).repository, DIGEST)).toBe(`docker.io/library/app@${DIGEST}`);
    }
    expect(importedImageRef(parseImageReference('registry.local:5000/team/app:1.0').repository, DIGEST)).toBe(`registry.local:5000/team/app@${DIGEST}`);
  });

  it('name an image of one program by the sha256 of that file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-ref-'));
    try {
      const file = join(dir, 'busybox');
      writeFileSync(file, 'not really busybox\n');
      expect(fileImageRef(file)).toBe(`sha256:${createHash('sha256').update('not really busybox\n').digest('hex')}`);
      expect(fileImageRef(file)).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
