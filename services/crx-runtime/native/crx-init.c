/*
 * crx-init: sets up an isolated container and stays its init, in one small static program.
 *
 * Usage: crx-init COMMAND [ARG...], with the set-up in the environment (the shim's container-process.ts sets it):
 *   OP_NETNS         the pod's network namespace to join (a /proc/<pid>/ns/net path), or empty
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
 *
 * What runs, in order (each step's failure is written to stderr, the container's log, and ends the start with 1):
 *   1. This process (the one the shim started, in the host's PID namespace) asks for SIGKILL when its parent, the
 *      shim, dies, joins the pod's network namespace, and unshares mount, PID and UTS namespaces; every mount
 *      below is private to the container. It forks the init and waits for it, ignoring SIGINT and SIGTERM (the
 *      init forwards those); it exits as the init did.
 *   2. The init, PID 1 of the new PID namespace, dies with this process (SIGKILL as its parent-death signal, and
 *      the namespace's other processes with it), joins the cgroups, sets the host name, mounts the overlay, binds
 *      the volumes (a subPath opened beneath its volume first, a read-only one then remounted read-only) and the
 *      host's /dev, and mounts a /proc of the new PID namespace (nosuid, noexec, nodev).
 *   3. The command is forked, enters the root (chroot) and its working directory, and is executed with the image's
 *      PATH and none of the OP_ variables. The init forwards SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2
 *      and SIGWINCH to it (a command that is PID 1 itself would ignore them), reaps every orphan, and exits with
 *      the command's status (128 + the signal's number if a signal ended it), as a shell would.
 *
 * One program instead of the chain it replaces (setpriv, nsenter, unshare, a shell, two mounts, unshare again):
 * on a host starting dozens of containers at once each process start costs milliseconds of machine CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const OP_VARIABLES[] = {
  "OP_NETNS", "OP_CGROUP_PROCS", "OP_LOWER", "OP_UPPER", "OP_WORK", "OP_MERGED",
  "OP_VOLUMES", "OP_WORKDIR", "OP_HOSTNAME", "OP_IMAGE_PATH",
};
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

/* mkdir -p */
static void make_dirs(const char *path) {
  char buf[4096];
  if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    fail("mkdir %s", path);
  }
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) fail("mkdir %s", buf);
    *p = '/';
  }
  if (mkdir(buf, 0755) != 0 && errno != EEXIST) fail("mkdir %s", buf);
}

/* An empty file at `path` where there is nothing (what a file is bound on); an existing one, or a symlink, is left as it is. */
static void make_file(const char *path) {
  char buf[4096];
  if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    fail("create %s", path);
  }
  char *slash = strrchr(buf, '/');
  if (slash && slash != buf) {
    *slash = '\0';
    make_dirs(buf);
  }
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST) fail("create %s", path);
  if (fd >= 0) close(fd);
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

static void bind_volumes(const char *root) {
  char *volumes = strdup(env("OP_VOLUMES"));
  char target[4096], opened[64];
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
    under(target, sizeof target, root, mount_path);
    if (S_ISDIR(st.st_mode)) make_dirs(target);
    else make_file(target);
    if (mount(source, target, NULL, MS_BIND, NULL) != 0) fail("bind volume %s at %s", line, target);
    if (fd >= 0) close(fd);
    if (read_only) {
      /* A bind takes MS_RDONLY only from a remount of it; the remount keeps the flags the source's mount has. */
      struct statvfs st;
      if (statvfs(target, &st) != 0) fail("statvfs %s", target);
      unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
      if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
      if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
      if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
      if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
      if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
      if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
      if (mount(NULL, target, NULL, flags, NULL) != 0) fail("make volume %s read-only at %s", line, target);
    }
  }
  free(volumes);
}

/* The init's set-up, as PID 1 of the container's namespaces: returns the root's path. */
static const char *set_up(void) {
  const char *root = env("OP_MERGED");
  char buf[4096], options[8192];
  join_cgroups();
  const char *name = env("OP_HOSTNAME");
  /* A host name the kernel refuses (too long) leaves the namespace's own, as the shell did. */
  if (name[0]) (void)sethostname(name, strlen(name));
  if ((size_t)snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", env("OP_LOWER"), env("OP_UPPER"), env("OP_WORK")) >= sizeof options) {
    errno = ENAMETOOLONG;
    fail("overlay options");
  }
  if (mount("overlay", root, "overlay", 0, options) != 0) fail("mount the overlay at %s", root);
  bind_volumes(root);
  under(buf, sizeof buf, root, "/dev");
  make_dirs(buf);
  if (mount("/dev", buf, NULL, MS_BIND | MS_REC, NULL) != 0) fail("bind /dev at %s", buf);
  under(buf, sizeof buf, root, "/proc");
  make_dirs(buf);
  if (mount("proc", buf, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) != 0) fail("mount /proc at %s", buf);
  under(buf, sizeof buf, root, env("OP_WORKDIR"));
  make_dirs(buf);
  return root;
}

static void exec_command(const char *root, char **argv) {
  const char *wd = env("OP_WORKDIR");
  char *path = strdup(env("OP_IMAGE_PATH"));
  if (!path) fail("OP_IMAGE_PATH");
  if (chroot(root) != 0) fail("chroot %s", root);
  if (chdir(wd[0] ? wd : "/") != 0) fail("chdir %s", wd);
  for (size_t i = 0; i < COUNT(OP_VARIABLES); i++) unsetenv(OP_VARIABLES[i]);
  if (path[0]) setenv("PATH", path, 1);
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

static int run_init(char **argv) {
  sigset_t all, old;
  /* Dies with the process that started it; the kernel then ends every process of the namespace. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl");
  const char *root = set_up();
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

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: crx-init COMMAND [ARG...] (the set-up in OP_ variables)\n", stderr);
    return 2;
  }
  /* The shim's death (a host killed as a whole) takes the container with it. */
  pid_t shim = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl");
  if (getppid() != shim) return 137;
  const char *netns = env("OP_NETNS");
  if (netns[0]) {
    int fd = open(netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open %s", netns);
    if (setns(fd, CLONE_NEWNET) != 0) fail("join the network namespace %s", netns);
    close(fd);
  }
  if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS) != 0) fail("unshare");
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
    return run_init(argv + 1);
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
