/*
 * crx-pidns: makes the PID namespace a pod's containers share (`shareProcessNamespace: true`), as a pause container
 * holds it under CRI's NamespaceMode POD.
 *
 * Usage: crx-pidns. It forks a process that unshares a PID namespace and forks its PID 1, prints that PID 1's pid (as
 * the host numbers it) and exits 0; the containers join its /proc/<pid>/ns/pid (crx-init's OP_PIDNS). The PID 1 reaps
 * every process orphaned into the namespace (a container's processes, once its own init is gone, are its children) and
 * otherwise waits until a signal ends it (SIGKILL, SIGTERM, SIGINT or SIGHUP), which ends every process of the
 * namespace with it. A step that fails is written to stderr as `crx-pidns: <step>: <reason>` and it exits 1.
 *
 * Like the network pause (crx-netns), it stays in the caller's process group and outlives this program: a host
 * killed as a whole takes it with it, a restarted runtime keeps it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *step) {
  fprintf(stderr, "crx-pidns: %s: %s\n", step, strerror(errno));
  exit(1);
}

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static void woken(int sig) {
  (void)sig;
}

/* PID 1 of the pod: reaps what is orphaned to it until a signal ends it. */
static void run_init(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  /* PID 1 gets only the signals it handles: without a handler the host's SIGTERM would not end it. */
  sa.sa_handler = stop;
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = woken;
  sigaction(SIGCHLD, &sa, NULL);
  /* SIGCHLD is blocked but while it waits: an orphan that ends between two looks still wakes it. */
  sigset_t chld, waiting;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &waiting);
  sigdelset(&waiting, SIGCHLD);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) continue;
    sigsuspend(&waiting);
  }
}

int main(void) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) fail("pipe");
  pid_t holder = fork();
  if (holder < 0) fail("fork");
  if (holder == 0) {
    /* First: the caller's output ends when this program does, not when the namespace does. */
    close(ready[0]);
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
    pid_t init = -1;
    if (unshare(CLONE_NEWPID) == 0) init = fork();
    if (init == 0) {
      close(ready[1]);
      run_init();
    }
    int result = init > 0 ? (int)init : -errno;
    (void)!write(ready[1], &result, sizeof result);
    /* The holder leaves: its PID 1 is then the child of the machine's init (or subreaper), as the network pause is. */
    _exit(init > 0 ? 0 : 1);
  }
  close(ready[1]);
  int result = 0;
  if (read(ready[0], &result, sizeof result) != sizeof result) {
    errno = EPIPE;
    fail("the holder process ended");
  }
  waitpid(holder, NULL, 0);
  if (result <= 0) {
    errno = -result;
    fail("unshare the PID namespace");
  }
  printf("%d\n", result);
  return 0;
}
