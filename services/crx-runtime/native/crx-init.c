/*
 * crx-init: sets up an isolated container and stays its init, in one small static program.
 *
 * Usage: crx-init COMMAND [ARG...], with the set-up in the environment (the shim's container-process.ts sets it):
 *   OP_NETNS         the pod's network namespace to join (a /proc/<pid>/ns/net path), or empty
 *   OP_IPCNS         the pod's IPC namespace to join (its pause's /proc/<pid>/ns/ipc), or empty: the host's (hostIPC,
 *                    or a pod without a pause), as before pods had one
 *   OP_CGROUP_PROCS  cgroup.procs files the container joins before anything of it runs, separated by spaces
 *   OP_LOWER, OP_UPPER, OP_WORK, OP_MERGED   the overlay: the image's root, the container's layer, its work
 *                    directory and where the container's root is mounted
 *   OP_VOLUMES       volumes, one `source|mountPath` a line, bound at mountPath under the root; a line
 *                    `source|mountPath|ro` is bound read-only (its writes fail with EROFS). A source
 *                    `volume//path` is a subPath: `path` (free of symlinks, as the runtime resolved it) is opened
 *                    from `volume` one component at a time, following no symlink, and what was opened is bound.
 *                    A file is bound on a file (made empty where missing), anything else on a directory
 *   OP_WORKDIR       the command's working directory inside the root (made when missing)
 *   OP_HOSTNAME      the container's host name (its pod's name), or empty
 *   OP_IMAGE_PATH    the command's PATH
 *   OP_USER          `uid:gid:group,group...`: who the command runs as, with exactly these groups (empty: root, with the
 *                    groups it had, as before the runtime passed one)
 *   OP_CAPS          the capabilities it keeps, a mask in hex (bit n: capability n), as its bounding, permitted and
 *                    effective sets; the inheritable and ambient sets are emptied (empty: all, nothing is dropped)
 *   OP_NO_NEW_PRIVS  `1`: the command starts with no_new_privs (allowPrivilegeEscalation: false)
 *   OP_READONLY_ROOT `1`: the container's root is mounted read-only once set up (its volumes, /dev and /proc stay
 *                    as they are mounted)
 *   OP_PIDNS         a PID namespace to join (a /proc/<pid>/ns/pid path) instead of making one: the pod's, made by
 *                    crx-pidns, for a pod with shareProcessNamespace; or an ephemeral container's target's (`kubectl
 *                    debug --target`), whose processes it then sees and may signal; its init is then not PID 1 (its
 *                    orphans go to the namespace's init), and its own mount and UTS namespaces are made as for any
 *                    container
 *   OP_DEV           `own`: the container gets a /dev of its own (a small tmpfs with null, zero, full, random, urandom,
 *                    tty and ptmx bound from the host's, the host's pts, links fd, stdin, stdout and stderr into /proc,
 *                    and a /dev/shm, below); anything else: the host's /dev, bound whole (a privileged container)
 *   OP_SHM           with OP_DEV=own: a directory bound at /dev/shm (the pod's, shared by its containers), or empty: a
 *                    tmpfs of the container's own
 *   OP_TERMINATION_LOG  `source|path`: the file bound at `path` (terminationMessagePath), after /dev is set up, for the
 *                    container to write why it ended; empty: none
 *   OP_HOST_NAMESPACES  namespaces the container shares with the host instead of making its own, separated by spaces:
 *                    `pid` (hostPID: it sees the machine's processes; its init is then not PID 1 and mounts a /proc of the
 *                    host's PID namespace), `uts` (hostNetwork: the host's name, which is not set)
 *   OP_ENTER         a pid: instead of setting a container up, the command joins that process's network, UTS, PID,
 *                    IPC and mount namespaces and its root (`kubectl exec`, exec probes), enters OP_WORKDIR and runs with the
 *                    OP_USER, OP_CAPS and OP_NO_NEW_PRIVS of the container, as containerd runs an exec process with
 *                    the container's user; this process waits for it (forwarding signals) and exits as it did
 *
 * What runs, in order (each step's failure is written to stderr, the container's log, and ends the start with 1):
 *   1. This process (the one the shim started, in the host's PID namespace) asks for SIGKILL when its parent, the
 *      shim, dies, joins the pod's network and IPC namespaces, and unshares mount, PID and UTS namespaces; every mount
 *      below is private to the container. It forks the init and waits for it, ignoring SIGINT and SIGTERM (the
 *      init forwards those); it exits as the init did.
 *   2. The init, PID 1 of the new PID namespace, dies with this process (SIGKILL as its parent-death signal, and
 *      the namespace's other processes with it), joins the cgroups, sets the host name, mounts the overlay, sets up
 *      /dev (its own, or the host's), binds the termination message file and the volumes (a subPath opened beneath
 *      its volume first, a read-only one then remounted read-only), and mounts a /proc of the new PID namespace
 *      (nosuid, noexec, nodev).
 *   3. The command is forked, enters the root (chroot) and its working directory, becomes its user (the bounding set
 *      first, while it may; then groups, gid and uid, keeping its capabilities across the uid's change; then the
 *      permitted and effective sets, which the kernel empties at exec for a uid other than 0, as it does under runc;
 *      then no_new_privs), and is executed with the image's PATH and none of the OP_ variables. The init forwards SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2
 *      and SIGWINCH to it (a command that is PID 1 itself would ignore them), reaps every orphan, and exits with
 *      the command's status (128 + the signal's number if a signal ended it), as a shell would.
 *
 * One program instead of the chain it replaces (setpriv, nsenter, unshare, a shell, two mounts, unshare again):
 * on a host starting dozens of containers at once each process start costs milliseconds of machine CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const OP_VARIABLES[] = {
  "OP_NETNS", "OP_IPCNS", "OP_CGROUP_PROCS", "OP_LOWER", "OP_UPPER", "OP_WORK", "OP_MERGED",
  "OP_VOLUMES", "OP_WORKDIR", "OP_HOSTNAME", "OP_IMAGE_PATH", "OP_USER", "OP_CAPS", "OP_NO_NEW_PRIVS",
  "OP_READONLY_ROOT", "OP_ENTER", "OP_PIDNS", "OP_HOST_NAMESPACES", "OP_DEV", "OP_SHM", "OP_TERMINATION_LOG",
};
/* The device nodes a container's own /dev has (the set runc gives every container), bound from the host's. */
static const char *const DEVICES[] = { "null", "zero", "full", "random", "urandom", "tty", "ptmx" };
/* And its links into /proc. */
static const char *const DEV_LINKS[][2] = {
  { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
};
#define MAX_GROUPS 1024
static const int FORWARDED[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static volatile pid_t command_pid = 0;

static void fail(const char *fmt, ...) {
  va_list ap;
  int saved = errno;
  fputs("crx-init: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s\n", strerror(saved));
  exit(1);
}

static const char *env(const char *name) {
  const char *value = getenv(name);
  return value ? value : "";
}

/* `dir` under `root`, in a buffer of the caller's. */
static char *under(char *buf, size_t size, const char *root, const char *dir) {
  if ((size_t)snprintf(buf, size, "%s%s%s", root, dir[0] == '/' ? "" : "/", dir) >= size) {
    errno = ENAMETOOLONG;
    fail("path %s under %s", dir, root);
  }
  return buf;
}

/*
 * Paths in the container's root are resolved as if that root were / (openat2's RESOLVE_IN_ROOT): a symbolic link of
 * the image (`/data -> /etc`) leads to the image's /etc, never the host's, so no mount point is made, and nothing is
 * mounted, outside the root (what runc's securejoin guards against). Set by set_up once the overlay is mounted.
 */
static int root_fd = -1;
static const char *root_path;

/* `path` in the container's root, opened with `flags`; -1 with errno set. A kernel without openat2 (before 5.6) gets
 * the path under the root as it is. */
static int open_in_root(const char *path, int flags) {
  while (*path == '/') path++;
  struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int fd = (int)syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) {
    char buf[4096];
    return open(under(buf, sizeof buf, root_path, path), flags | O_CLOEXEC);
  }
  return fd;
}

/* The magic link of an opened path, what a mount is given so that it lands on that very directory or file. */
static const char *fd_path(char *buf, size_t size, int fd) {
  snprintf(buf, size, "/proc/self/fd/%d", fd);
  return buf;
}

static int dirs_in_root(const char *path);

static int file_in_root(const char *path);

/*
 * `name` in `dir` (the last component of `path`) is a symbolic link to nothing yet: what it names is made in the root
 * by `make` (dirs_in_root for a directory's mount point, file_in_root for a file's; a relative link from `path`'s
 * directory), as runc makes a mount point behind a link. Whether it was such a link; `step` words a failure.
 */
static int made_link_target(int dir, const char *path, const char *name, int (*make)(const char *), const char *step) {
  static int depth;
  char link[4096], target[8192];
  ssize_t n = readlinkat(dir, name, link, sizeof link - 1);
  if (n <= 0) return 0;
  link[n] = '\0';
  if (++depth > 40) {
    errno = ELOOP;
    fail("%s %s in the root", step, path);
  }
  if (link[0] == '/') snprintf(target, sizeof target, "%s", link);
  else snprintf(target, sizeof target, "%.*s%s", (int)(name - path), path, link);
  close(make(target));
  depth--;
  return 1;
}

/* mkdir -p of `path` in the container's root, each directory made in the one resolved before it; an O_PATH fd of it. */
static int dirs_in_root(const char *path) {
  char buf[4096];
  if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    fail("mkdir %s", path);
  }
  int dir = open_in_root("/", O_PATH | O_DIRECTORY);
  if (dir < 0) fail("open the root %s", root_path);
  for (char *p = buf; *p;) {
    while (*p == '/') p++;
    if (!*p) break;
    char *end = strchr(p, '/');
    char saved = end ? *end : '\0';
    if (end) *end = '\0';
    int next = open_in_root(buf, O_PATH | O_DIRECTORY);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(dir, p, 0755) != 0 && errno != EEXIST) fail("mkdir %s in the root", path);
      next = open_in_root(buf, O_PATH | O_DIRECTORY);
      if (next < 0 && errno == ENOENT && made_link_target(dir, buf, p, dirs_in_root, "mkdir")) next = open_in_root(buf, O_PATH | O_DIRECTORY);
    }
    if (next < 0) fail("mkdir %s in the root", path);
    close(dir);
    dir = next;
    if (!end) break;
    *end = saved;
    p = end + 1;
  }
  return dir;
}

/* An O_PATH fd of the file at `path` in the container's root, made empty where there is nothing (what a file is
 * bound on); an existing one, or a symbolic link to one, is left as it is. */
static int file_in_root(const char *path) {
  char buf[4096];
  if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    fail("create %s", path);
  }
  char *slash = strrchr(buf, '/');
  const char *name = buf;
  int dir;
  if (slash) {
    *slash = '\0';
    name = slash + 1;
    dir = dirs_in_root(buf);
    *slash = '/';
  } else {
    dir = dirs_in_root("/");
  }
  int fd = open_in_root(buf, O_PATH);
  if (fd < 0 && errno == ENOENT) {
    int made = openat(dir, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (made < 0 && errno != EEXIST) fail("create %s in the root", path);
    if (made >= 0) close(made);
    fd = open_in_root(buf, O_PATH);
  }
  /* A link to nothing yet (an image's /etc/app.log -> /data/app.log): its target is made inside the root, and the
   * file is then reached through the link. */
  if (fd < 0 && errno == ENOENT && made_link_target(dir, buf, name, file_in_root, "create")) fd = open_in_root(buf, O_PATH);
  if (fd < 0) fail("create %s in the root", path);
  close(dir);
  return fd;
}

/*
 * The subPath `path` of `volume`, opened one component at a time with O_PATH and O_NOFOLLOW (as kubelet's subpath
 * package does): a component that is a symlink now, though it was none when the runtime resolved it (a container
 * sharing the volume swapped it), fails the start instead of leading the bind out of the volume.
 */
static int open_beneath(const char *volume, const char *path) {
  char parts[4096];
  if ((size_t)snprintf(parts, sizeof parts, "%s", path) >= sizeof parts) {
    errno = ENAMETOOLONG;
    fail("subPath %s", path);
  }
  int dir = open(volume, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) fail("open volume %s", volume);
  for (char *save = NULL, *part = strtok_r(parts, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    int next = openat(dir, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) fail("open subPath %s of volume %s at %s", path, volume, part);
    struct stat st;
    if (fstat(next, &st) != 0) fail("stat subPath %s of volume %s at %s", path, volume, part);
    if (S_ISLNK(st.st_mode)) {
      errno = ELOOP;
      fail("subPath %s of volume %s: %s became a symbolic link", path, volume, part);
    }
    close(dir);
    dir = next;
  }
  return dir;
}

static void join_cgroups(void) {
  char list[8192], pid[32];
  if ((size_t)snprintf(list, sizeof list, "%s", env("OP_CGROUP_PROCS")) >= sizeof list) {
    errno = E2BIG;
    fail("OP_CGROUP_PROCS");
  }
  int len = snprintf(pid, sizeof pid, "%d", (int)getpid());
  for (char *save = NULL, *file = strtok_r(list, " ", &save); file; file = strtok_r(NULL, " ", &save)) {
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("join cgroup %s", file);
    if (write(fd, pid, (size_t)len) != len) fail("join cgroup %s", file);
    close(fd);
  }
}

static void bind_volumes(void) {
  char *volumes = strdup(env("OP_VOLUMES"));
  char target[64], opened[64];
  if (!volumes) fail("OP_VOLUMES");
  for (char *save = NULL, *line = strtok_r(volumes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *bar = strchr(line, '|');
    if (!bar || bar == line) continue;
    *bar = '\0';
    char *mount_path = bar + 1;
    size_t len = strlen(mount_path);
    int read_only = len > 3 && strcmp(mount_path + len - 3, "|ro") == 0;
    if (read_only) mount_path[len - 3] = '\0';
    const char *source = line;
    int fd = -1;
    char *sub = strstr(line, "//");
    if (sub) {
      *sub = '\0';
      fd = open_beneath(line, sub + 2);
      /* The bind takes the file opened, not a path that could be swapped again. */
      snprintf(opened, sizeof opened, "/proc/self/fd/%d", fd);
      source = opened;
      *sub = '/';
    }
    struct stat st;
    if (stat(source, &st) != 0) fail("stat volume %s", line);
    int at = S_ISDIR(st.st_mode) ? dirs_in_root(mount_path) : file_in_root(mount_path);
    if (mount(source, fd_path(target, sizeof target, at), NULL, MS_BIND, NULL) != 0) fail("bind volume %s at %s", line, mount_path);
    close(at);
    if (fd >= 0) close(fd);
    if (read_only) {
      /* A bind takes MS_RDONLY only from a remount of it (opened again: the path now leads into the bind); the
       * remount keeps the flags the source's mount has. */
      int bound = open_in_root(mount_path, O_PATH);
      if (bound < 0) fail("open volume %s at %s", line, mount_path);
      struct statvfs st;
      if (fstatvfs(bound, &st) != 0) fail("statvfs %s", mount_path);
      unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
      if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
      if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
      if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
      if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
      if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
      if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
      if (mount(NULL, fd_path(target, sizeof target, bound), NULL, flags, NULL) != 0) fail("make volume %s read-only at %s", line, mount_path);
      close(bound);
    }
  }
  free(volumes);
}

/* Who the command runs as (OP_USER, OP_CAPS, OP_NO_NEW_PRIVS), read before the OP_ variables are unset. */
struct credentials {
  int user_set, caps_set, no_new_privs;
  uid_t uid;
  gid_t gid;
  size_t ngroups;
  gid_t groups[MAX_GROUPS];
  uint64_t caps;
};

static unsigned long id_field(const char *text, char **end) {
  errno = 0;
  unsigned long value = strtoul(text, end, 10);
  if (errno || *end == text || value > 0x7fffffffUL) {
    errno = EINVAL;
    fail("OP_USER %s", env("OP_USER"));
  }
  return value;
}

static void read_credentials(struct credentials *c) {
  const char *user = env("OP_USER"), *caps = env("OP_CAPS");
  char *end;
  memset(c, 0, sizeof *c);
  if (user[0]) {
    c->uid = (uid_t)id_field(user, &end);
    if (*end != ':') {
      errno = EINVAL;
      fail("OP_USER %s", user);
    }
    c->gid = (gid_t)id_field(end + 1, &end);
    /* The groups: none after a bare `uid:gid` or `uid:gid:`. */
    if (*end == ':' && end[1] == '\0') end++;
    while (*end == ':' || (*end == ',' && c->ngroups > 0)) {
      if (c->ngroups == MAX_GROUPS) {
        errno = E2BIG;
        fail("OP_USER %s", user);
      }
      c->groups[c->ngroups++] = (gid_t)id_field(end + 1, &end);
    }
    if (*end) {
      errno = EINVAL;
      fail("OP_USER %s", user);
    }
    c->user_set = 1;
  }
  if (caps[0]) {
    errno = 0;
    c->caps = strtoull(caps, &end, 16);
    if (errno || *end) {
      errno = EINVAL;
      fail("OP_CAPS %s", caps);
    }
    c->caps_set = 1;
  }
  c->no_new_privs = strcmp(env("OP_NO_NEW_PRIVS"), "1") == 0;
}

/* The highest capability the kernel has (what /proc/sys/kernel/cap_last_cap says, without a /proc to read). */
static int last_cap(void) {
  int cap = 0;
  while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
  return cap;
}

/* Becomes the container's user: every step needs the capabilities the steps before it leave (see the header). */
static void become_user(const struct credentials *c) {
  int last = last_cap();
  uint64_t known = last == 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
  if (c->caps_set) {
    for (int cap = 0; cap <= last; cap++) {
      if (!((c->caps >> cap) & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail("drop capability %d from the bounding set", cap);
    }
  }
  if (c->user_set) {
    if (setgroups(c->ngroups, c->groups) != 0) fail("setgroups");
    if (setgid(c->gid) != 0) fail("setgid %u", (unsigned)c->gid);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail("keep capabilities");
    if (setuid(c->uid) != 0) fail("setuid %u", (unsigned)c->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) fail("keep capabilities");
  }
  if (c->caps_set) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    /* Of the mask, what this process holds: a runtime that lacks some (itself in a container) cannot give them. */
    if (syscall(SYS_capget, &header, data) != 0) fail("capget");
    uint64_t keep = c->caps & known & (data[0].permitted | ((uint64_t)data[1].permitted << 32));
    memset(data, 0, sizeof data);
    data[0].effective = data[0].permitted = (uint32_t)keep;
    data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
    if (syscall(SYS_capset, &header, data) != 0) fail("capset");
    /* A kernel older than ambient capabilities (4.3) has none to clear. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) fail("clear ambient capabilities");
  }
  if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
}

/* Whether OP_HOST_NAMESPACES names `kind`: the container keeps the host's namespace of that kind. */
static int host_namespace(const char *kind) {
  char list[256];
  if ((size_t)snprintf(list, sizeof list, "%s", env("OP_HOST_NAMESPACES")) >= sizeof list) {
    errno = E2BIG;
    fail("OP_HOST_NAMESPACES");
  }
  for (char *save = NULL, *word = strtok_r(list, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
    if (strcmp(word, kind) == 0) return 1;
  }
  return 0;
}

/* `source` (a file or a device node) bound on an empty file made at `target` in the container's root. */
static void bind_file(const char *source, const char *target) {
  char at[64];
  int fd = file_in_root(target);
  if (mount(source, fd_path(at, sizeof at, fd), NULL, MS_BIND, NULL) != 0) fail("bind %s at %s", source, target);
  close(fd);
}

/*
 * The container's /dev: its own (OP_DEV=own) with only the devices every container needs, so that nothing of the
 * host's disks or consoles is in reach of its root; else the host's whole /dev (a privileged container).
 */
static void set_up_dev(void) {
  char path[64], at[64], source[64];
  int dev = dirs_in_root("/dev");
  if (strcmp(env("OP_DEV"), "own") != 0) {
    if (mount("/dev", fd_path(at, sizeof at, dev), NULL, MS_BIND | MS_REC, NULL) != 0) fail("bind /dev in the root");
    close(dev);
    return;
  }
  if (mount("tmpfs", fd_path(at, sizeof at, dev), "tmpfs", MS_NOSUID, "mode=755,size=65536k") != 0) fail("mount a /dev in the root");
  close(dev);
  for (size_t i = 0; i < COUNT(DEVICES); i++) {
    snprintf(source, sizeof source, "/dev/%s", DEVICES[i]);
    snprintf(path, sizeof path, "/dev/%s", DEVICES[i]);
    bind_file(source, path);
  }
  /* The host's terminals: a tty container's and an exec session's are opened there, by its monitor. */
  int pts = dirs_in_root("/dev/pts");
  if (mount("/dev/pts", fd_path(at, sizeof at, pts), NULL, MS_BIND, NULL) != 0) fail("bind /dev/pts in the root");
  close(pts);
  int shm_at = dirs_in_root("/dev/shm");
  const char *shm = env("OP_SHM");
  fd_path(at, sizeof at, shm_at);
  if (shm[0] ? mount(shm, at, NULL, MS_BIND, NULL) != 0 : mount("shm", at, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") != 0) fail("mount /dev/shm in the root");
  close(shm_at);
  /* The new /dev, opened again: the path now leads into the tmpfs. */
  dev = open_in_root("/dev", O_PATH | O_DIRECTORY);
  if (dev < 0) fail("open /dev in the root");
  for (size_t i = 0; i < COUNT(DEV_LINKS); i++) {
    if (symlinkat(DEV_LINKS[i][1], dev, DEV_LINKS[i][0]) != 0) fail("link /dev/%s", DEV_LINKS[i][0]);
  }
  close(dev);
}

/* The container's termination message file (OP_TERMINATION_LOG), bound where it writes it. */
static void bind_termination_log(void) {
  char line[4096];
  if ((size_t)snprintf(line, sizeof line, "%s", env("OP_TERMINATION_LOG")) >= sizeof line) {
    errno = ENAMETOOLONG;
    fail("OP_TERMINATION_LOG");
  }
  char *bar = strchr(line, '|');
  if (!bar || bar == line || !bar[1]) return;
  *bar = '\0';
  bind_file(line, bar + 1);
}

/* The init's set-up, as PID 1 of the container's namespaces: returns the root's path. */
static const char *set_up(void) {
  const char *root = env("OP_MERGED");
  char buf[4096], options[8192];
  join_cgroups();
  const char *name = env("OP_HOSTNAME");
  /* A host name the kernel refuses (too long) leaves the namespace's own, as the shell did. The host's is never set. */
  if (name[0] && !host_namespace("uts")) (void)sethostname(name, strlen(name));
  if ((size_t)snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", env("OP_LOWER"), env("OP_UPPER"), env("OP_WORK")) >= sizeof options) {
    errno = ENAMETOOLONG;
    fail("overlay options");
  }
  if (mount("overlay", root, "overlay", 0, options) != 0) fail("mount the overlay at %s", root);
  root_path = root;
  root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) fail("open the root %s", root);
  /* /dev first: a volume mounted below it (an emptyDir at /dev/shm) is then bound over it, not hidden under it. */
  set_up_dev();
  bind_termination_log();
  bind_volumes();
  int proc = dirs_in_root("/proc");
  if (mount("proc", fd_path(buf, sizeof buf, proc), "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) != 0) fail("mount /proc in the root");
  close(proc);
  close(dirs_in_root(env("OP_WORKDIR")));
  /* Last: every mount point above is made in the root first. A bind remount changes this mount only, not those on it. */
  if (strcmp(env("OP_READONLY_ROOT"), "1") == 0 && mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) fail("make the root %s read-only", root);
  return root;
}

/* Runs the command in `root` (NULL: the root it has, an entered container's). */
static void exec_command(const char *root, char **argv) {
  const char *wd = env("OP_WORKDIR");
  char *path = strdup(env("OP_IMAGE_PATH"));
  struct credentials *c = malloc(sizeof *c);
  if (!path || !c) fail("OP_IMAGE_PATH");
  read_credentials(c);
  if (root && chroot(root) != 0) fail("chroot %s", root);
  if (chdir(wd[0] ? wd : "/") != 0) fail("chdir %s", wd);
  for (size_t i = 0; i < COUNT(OP_VARIABLES); i++) unsetenv(OP_VARIABLES[i]);
  if (path[0]) setenv("PATH", path, 1);
  become_user(c);
  /* Cleared by the change of user: set again, so an entered command dies with the process that waits for it. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl");
  execvp(argv[0], argv);
  int saved = errno;
  fprintf(stderr, "crx-init: exec %s: %s\n", argv[0], strerror(saved));
  exit(saved == ENOENT ? 127 : 126);
}

static void forward(int sig) {
  if (command_pid > 0) kill(command_pid, sig);
}

static int status_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Forks the command (in `root`, see exec_command), forwards signals to it, reaps orphans; returns its status code. */
static int run_command(const char *root, char **argv) {
  sigset_t all, old;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sigemptyset(&sa.sa_mask);
  /* Installed before the fork, blocked until the command's pid is known: none is lost in between. */
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  for (size_t i = 0; i < COUNT(FORWARDED); i++) sigaction(FORWARDED[i], &sa, NULL);
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    signal(SIGCHLD, SIG_DFL);
    for (size_t i = 0; i < COUNT(FORWARDED); i++) signal(FORWARDED[i], SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    exec_command(root, argv);
  }
  command_pid = child;
  sigprocmask(SIG_SETMASK, &old, NULL);
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      fail("wait");
    }
    if (pid == child) return status_code(status);
  }
}

/*
 * What `ps` in the container shows for its init: `crx-init COMMAND...`, not the host path the program was started
 * from (the container's processes must not learn the host's layout). /proc/<pid>/cmdline is read from the process's
 * own argument area, so the name is written over argv[0] there and the command's arguments moved up behind it (their
 * pointers with them); what is left at the end is zeroed.
 */
static void name_init(int argc, char **argv) {
  static const char name[] = "crx-init";
  size_t old = strlen(argv[0]) + 1;
  if (old <= sizeof name) return;
  char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
  size_t shift = old - sizeof name;
  memcpy(argv[0], name, sizeof name);
  memmove(argv[0] + sizeof name, argv[0] + old, (size_t)(end - (argv[0] + old)));
  memset(end - shift, 0, shift);
  for (int i = 1; i < argc; i++) argv[i] -= shift;
}

static int run_init(int argc, char **argv) {
  /* Dies with the process that started it; the kernel then ends every process of the namespace. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl");
  name_init(argc, argv);
  return run_command(set_up(), argv + 1);
}

/*
 * OP_ENTER: into the namespaces and root of the container process `target`. Each namespace is opened before any is
 * joined (the mount namespace last: after it the host's /proc is not there); joining the PID namespace takes effect
 * for the command, forked after.
 */
static int enter(const char *target, char **argv) {
  static const struct { const char *name; int type; } spaces[] = {
    { "net", CLONE_NEWNET }, { "uts", CLONE_NEWUTS }, { "pid", CLONE_NEWPID }, { "ipc", CLONE_NEWIPC }, { "mnt", CLONE_NEWNS },
  };
  int fds[COUNT(spaces)];
  char path[64];
  if (strspn(target, "0123456789") != strlen(target)) {
    errno = EINVAL;
    fail("OP_ENTER %s", target);
  }
  for (size_t i = 0; i < COUNT(spaces); i++) {
    snprintf(path, sizeof path, "/proc/%s/ns/%s", target, spaces[i].name);
    if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) fail("open %s", path);
  }
  snprintf(path, sizeof path, "/proc/%s/root", target);
  int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail("open %s", path);
  for (size_t i = 0; i < COUNT(spaces); i++) {
    if (setns(fds[i], spaces[i].type) != 0) fail("join the %s namespace of %s", spaces[i].name, target);
    close(fds[i]);
  }
  if (fchdir(root) != 0 || chroot(".") != 0) fail("enter the root of %s", target);
  close(root);
  return run_command(NULL, argv);
}

/* Joins the namespace at `path` (a /proc/<pid>/ns/<kind> path) of that type; nothing when `path` is empty. */
static void join_namespace(const char *path, int type, const char *kind) {
  if (!path[0]) return;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open %s", path);
  if (setns(fd, type) != 0) fail("join the %s namespace %s", kind, path);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: crx-init COMMAND [ARG...] (the set-up in OP_ variables)\n", stderr);
    return 2;
  }
  /* The shim's death (a host killed as a whole) takes the container with it. */
  pid_t shim = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl");
  if (getppid() != shim) return 137;
  const char *target = env("OP_ENTER");
  if (target[0]) return enter(target, argv + 1);
  join_namespace(env("OP_NETNS"), CLONE_NEWNET, "network");
  join_namespace(env("OP_IPCNS"), CLONE_NEWIPC, "IPC");
  /* A PID namespace joined takes effect for the init forked below, which then mounts a /proc of that namespace. */
  const char *pidns = env("OP_PIDNS");
  join_namespace(pidns, CLONE_NEWPID, "PID");
  int own = CLONE_NEWNS;
  if (!host_namespace("uts")) own |= CLONE_NEWUTS;
  if (!pidns[0] && !host_namespace("pid")) own |= CLONE_NEWPID;
  if (unshare(own) != 0) fail("unshare");
  /* Nothing mounted in the container reaches the host's namespace, even under a shared / (systemd's). */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make / private");
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, &old);
  pid_t init = fork();
  if (init < 0) fail("fork");
  if (init == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    return run_init(argc, argv);
  }
  int status;
  while (waitpid(init, &status, 0) < 0) {
    if (errno != EINTR) fail("wait");
  }
  if (WIFSIGNALED(status)) {
    /* Ends as its init did, so the shim records the same signal. */
    signal(WTERMSIG(status), SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &stop, NULL);
    kill(getpid(), WTERMSIG(status));
  }
  return status_code(status);
}
