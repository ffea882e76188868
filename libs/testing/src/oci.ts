import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';

/** One image layer: the directory whose contents it holds (whiteout files included as they are). */
export interface OciLayerSource {
  dir: string;
  gzip?: boolean;
}

/**
 * Writes an OCI image-layout archive (as `skopeo copy ... oci-archive:` makes) with one image:
 * the layers in order, a config with `config` as its runtime settings, and `name` as its ref name.
 */
export async function writeOciArchive(file: string, image: { name: string; layers: OciLayerSource[]; config: Record<string, unknown> }): Promise<string> {
  const layout = mkdtempSync(join(tmpdir(), 'oci-layout-'));
  try {
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blob = (mediaType: string, bytes: Buffer) => {
      const hex = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(join(layout, 'blobs', 'sha256', hex), bytes);
      return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
    };
    const layers = [];
    for (const [i, layer] of image.layers.entries()) {
      const tarball = join(layout, `layer-${i}.tar`);
      await tar.c({ cwd: layer.dir, file: tarball, gzip: layer.gzip ?? false, portable: true }, readdirSync(layer.dir));
      layers.push(blob(`application/vnd.oci.image.layer.v1.tar${layer.gzip ? '+gzip' : ''}`, readFileSync(tarball)));
      rmSync(tarball);
    }
    const config = blob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: image.config, rootfs: { type: 'layers', diff_ids: [] } })));
    const manifestType = 'application/vnd.oci.image.manifest.v1+json';
    const manifest = blob(manifestType, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: manifestType, config, layers })));
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': image.name } }] };
    writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await tar.c({ cwd: layout, file }, ['oci-layout', 'index.json', 'blobs']);
    return file;
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}
