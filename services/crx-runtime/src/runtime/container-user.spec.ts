import { CrxErrorCodes } from '@openpacific/contracts';
import { containerUser, runAsNonRootProblem } from './container-user';

const passwd = 'root:x:0:0:root:/root:/bin/sh\n# a comment\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\nbroken line\n';
const group = 'root:x:0:\nwheel:x:10:root\nnginx:x:101:nginx\nwww:x:33:nginx,app\napp:x:1000:\nstaff:x:50:app\n';
const files = { passwd, group };

describe('the user a container runs as', () => {
  it('is root with root\'s groups from the image when neither the image nor the securityContext says', () => {
    expect(containerUser(undefined, undefined, files)).toEqual({ uid: 0, gid: 0, groups: [0, 10] });
    expect(containerUser('', undefined, {})).toEqual({ uid: 0, gid: 0, groups: [0] });
  });

  it('follows the docs example: runAsUser 1000, runAsGroup 3000, the fsGroup 2000 and supplementalGroups added', () => {
    expect(containerUser(undefined, { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000, 4000] }, {})).toEqual({ uid: 1000, gid: 3000, groups: [3000, 2000, 4000] });
  });

  it('gives a numeric user its group and the groups that list it by name from the image\'s files', () => {
    expect(containerUser(undefined, { runAsUser: 1000 }, files)).toEqual({ uid: 1000, gid: 1000, groups: [1000, 33, 50] });
    // One the image does not know gets gid 0 and no other group.
    expect(containerUser(undefined, { runAsUser: 4242 }, files)).toEqual({ uid: 4242, gid: 0, groups: [0] });
  });

  it('resolves an image user by name, `uid:gid`, and `name:group`', () => {
    // A group named as the user is its own, not one it is listed in.
    expect(containerUser('nginx', undefined, files)).toEqual({ uid: 101, gid: 101, groups: [101, 33] });
    expect(containerUser('1000:50', undefined, files)).toEqual({ uid: 1000, gid: 50, groups: [50, 33] });
    expect(containerUser('app:www', undefined, files)).toEqual({ uid: 1000, gid: 33, groups: [33, 50] });
  });

  it('lets runAsUser replace the image user entirely and runAsGroup its group alone', () => {
    expect(containerUser('nginx:www', { runAsUser: 1000 }, files)).toEqual({ uid: 1000, gid: 1000, groups: [1000, 33, 50] });
    expect(containerUser('nginx', { runAsGroup: 3000 }, files)).toEqual({ uid: 101, gid: 3000, groups: [3000, 33] });
  });

  it('fails a start for a user or group name the image does not have', () => {
    expect(() => containerUser('ghost', undefined, files)).toThrow(expect.objectContaining({ code: CrxErrorCodes.startFailed, message: 'unable to find user ghost: no matching entries in passwd file' }));
    expect(() => containerUser('app:ghosts', undefined, files)).toThrow('unable to find group ghosts: no matching entries in group file');
  });
});

describe('kubelet\'s runAsNonRoot verdict', () => {
  const pod = 'web_team(0b0f)';
  it('lets anything run without runAsNonRoot', () => {
    expect(runAsNonRootProblem(undefined, { runAsUser: 0 }, pod, 'c')).toBeUndefined();
  });

  it('refuses an image that runs as root, by no user or uid 0', () => {
    for (const user of [undefined, '', '0', '0:1000']) {
      expect(runAsNonRootProblem(user, { runAsNonRoot: true }, pod, 'c')).toBe('container has runAsNonRoot and image will run as root (pod: "web_team(0b0f)", container: c)');
    }
  });

  it('refuses a named image user it cannot verify, and runAsUser 0', () => {
    expect(runAsNonRootProblem('nginx', { runAsNonRoot: true }, pod, 'c')).toBe('container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "web_team(0b0f)", container: c)');
    expect(runAsNonRootProblem('1000', { runAsNonRoot: true, runAsUser: 0 }, pod, 'c')).toBe('container\'s runAsUser breaks non-root policy (pod: "web_team(0b0f)", container: c)');
  });

  it('lets a non-zero runAsUser or numeric image user run', () => {
    expect(runAsNonRootProblem('nginx', { runAsNonRoot: true, runAsUser: 101 }, pod, 'c')).toBeUndefined();
    expect(runAsNonRootProblem('1000:0', { runAsNonRoot: true }, pod, 'c')).toBeUndefined();
  });
});
