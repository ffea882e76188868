import { CodedError, ContainerSecurity, CrxErrorCodes } from '@openpacific/contracts';

/** Who a container's processes are: its uid, gid, and every group the kernel gives them (setgroups). */
export interface ContainerUser {
  uid: number;
  gid: number;
  groups: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** The largest uid or gid containerd and runc take (kube-apiserver refuses larger ones too). */
const MAX_ID = 2 ** 31 - 1;

/** The image's /etc/passwd and /etc/group, as text (absent: the image has none). */
export interface UserFiles {
  passwd?: string;
  group?: string;
}

/**
 * Who the container runs as, as containerd's CRI plugin makes it: `runAsUser` (with `runAsGroup`) over the image's
 * `User` (`uid`, `uid:gid`, `name`, `name:group`; names looked up in the image's files), root when neither says;
 * a numeric user the image's passwd knows gets its group there, one it does not gets gid 0. The groups are the
 * primary gid, the image's groups that list the user by name, then `supplementalGroups` (kubelet puts the fsGroup
 * first), as containerd's WithAdditionalGIDs and WithSupplementalGroups leave them. A `runAsGroup` without a
 * `runAsUser` changes the image user's group only.
 */
export function containerUser(imageUser: string | undefined, security: ContainerSecurity | undefined, files: UserFiles): ContainerUser {
  const passwd = parsePasswd(files.passwd);
  const userPart = security?.runAsUser !== undefined ? String(security.runAsUser) : (imageUser ?? '').split(':')[0];
  const groupPart = security?.runAsUser !== undefined ? undefined : (imageUser ?? '').split(':')[1];
  let uid = 0;
  let gid = 0;
  let name: string | undefined;
  if (userPart === '') {
    name = passwd.find((e) => e.uid === 0)?.name;
  } else if (isId(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((e) => e.uid === uid);
    if (entry) ({ name, gid } = entry);
  } else {
    const entry = passwd.find((e) => e.name === userPart);
    if (!entry) throw new CodedError(CrxErrorCodes.startFailed, `unable to find user ${userPart}: no matching entries in passwd file`);
    ({ name, uid, gid } = entry);
  }
  const groups = parseGroup(files.group);
  if (security?.runAsGroup !== undefined) gid = security.runAsGroup;
  else if (groupPart !== undefined && groupPart !== '') {
    if (isId(groupPart)) gid = Number(groupPart);
    else {
      const group = groups.find((g) => g.name === groupPart);
      if (!group) throw new CodedError(CrxErrorCodes.startFailed, `unable to find group ${groupPart}: no matching entries in group file`);
      gid = group.gid;
    }
  }
  const listed = name === undefined ? [] : groups.filter((g) => g.name !== name && g.members.includes(name!)).map((g) => g.gid);
  const all = [gid, ...listed, ...(security?.supplementalGroups ?? [])];
  return { uid, gid, groups: [...new Set(all)] };
}

/**
 * kubelet's verifyRunAsNonRoot: with `runAsNonRoot`, the reason the container may not be created (a
 * CreateContainerConfigError), or undefined. `pod` is kubelet's way of naming it, `name_namespace(uid)`. The image's
 * user is judged by its text as the CRI reports it (`uid` or `uid:gid` numeric, a name otherwise, root when empty):
 * a name is refused even when the image's passwd would make it non-root, as kubelet cannot look.
 */
export function runAsNonRootProblem(imageUser: string | undefined, security: ContainerSecurity | undefined, pod: string, container: string): string | undefined {
  if (!security?.runAsNonRoot) return undefined;
  const where = `(pod: ${JSON.stringify(pod)}, container: ${container})`;
  if (security.runAsUser !== undefined) return security.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const user = (imageUser ?? '').split(':')[0];
  if (user === '' || (isId(user) && Number(user) === 0)) return `container has runAsNonRoot and image will run as root ${where}`;
  if (!isId(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${where}`;
  return undefined;
}

function isId(text: string): boolean {
  return /^\d+$/.test(text) && Number(text) <= MAX_ID;
}

/** `name:password:uid:gid:...` lines; malformed ones are skipped, as the C library skips them. */
function parsePasswd(text: string | undefined): PasswdEntry[] {
  return lines(text).flatMap((fields) => (fields.length >= 4 && isId(fields[2]) && isId(fields[3]) ? [{ name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]) }] : []));
}

/** `name:password:gid:member,member` lines. */
function parseGroup(text: string | undefined): GroupEntry[] {
  return lines(text).flatMap((fields) =>
    fields.length >= 3 && isId(fields[2]) ? [{ name: fields[0], gid: Number(fields[2]), members: (fields[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) }] : [],
  );
}

function lines(text: string | undefined): string[][] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));
}
