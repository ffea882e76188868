/*
 * crx-monitor: starts a host's containers for its shim, writes their output to their logs and reports their exits.
 *
 * The shim (a Node.js process) starts one monitor and talks to it over the monitor's stdin and stdout. A container
 * forked by the shim itself costs a fork of a 50 MB process (7-10 ms of the shim's CPU per start on this project's
 * 2-core machine, during which it does nothing else); this program starts it with vfork, which copies nothing, and
 * writes its output to its log, so the shim no longer reads containers' output line by line either.
 *
 * Requests, on stdin: a decimal byte count and a newline, then that many bytes of NUL-terminated fields:
 *   id, log path, working directory, stdin path (empty: /dev/null), terminal control path (empty: no terminal),
 *   argc, argv[0..argc-1] (argv[0] an absolute path), envc, env[0..envc-1].
 * The stdin path is a FIFO whose other end the shim holds open (attach sessions write to it): it is opened for
 * reading only, so the container sees its end once every writer has closed it.
 * A terminal control path (`tty: true`) is a FIFO of window sizes, each written at once as `<rows> <cols>\n` in
 * exactly CONTROL_RECORD bytes (`%5u %5u\n`). Such a container gets a pseudo-terminal instead of pipes: its stdin,
 * stdout and stderr are the terminal, its controlling one. This program keeps the master: what the terminal
 * outputs goes to the log as stdout (a terminal has one output stream, as kubelet logs it), what is in the line
 * so far too (tagged P: a prompt has no newline, and attach must show it), what comes on the stdin FIFO is
 * copied to the master (its end becomes the terminal's end-of-file character), and each window size is set on
 * the master (the kernel sends SIGWINCH to the terminal's foreground process group).
 * Answers, on stdout, a line each:
 *   started <id> <pid>
 *   failed <id> <reason>                 nothing was started (no fork, a working directory it cannot enter, no exec)
 *   exited <pid> <code> <signal>         the container's first process ended (code 128 + signal when a signal ended
 *                                        it, signal 0 otherwise) and its output is in the log: both its pipes were
 *                                        closed, or 2 s passed (a process it left behind holds them)
 *
 * Each container runs in a session of its own with stdin from /dev/null (or its FIFO), its stdout and stderr on pipes
 * to this program (or all three on its terminal), and SIGKILL as its parent-death signal: this program has SIGKILL as
 * its own, so a shim killed (a host killed as a whole) takes every container with it. Each line of output is written
 * to the container's log as `<RFC 3339 time with nanoseconds> stdout|stderr F <line>` (the CRI log format; a line
 * longer than 16 KiB is written in parts tagged P, the last part F). The monitor ignores SIGINT, SIGTERM and SIGHUP, as the shim does (the
 * runtime stops containers by signalling them), and leaves when its stdin closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384
#define DRAIN_MS 2000
#define CONTROL_RECORD 12
#define INPUT_BYTES 4096

struct stream {
  int fd; /* -1 once closed */
  const char *name;
  int partial; /* a terminal's: what is read is logged at once, a line ended or not */
  size_t len;
  char buf[LINE_MAX_BYTES];
};

struct container {
  pid_t pid;
  int log;
  int reaped;
  int code, signal;
  long long reaped_at;
  struct stream out, err;
  /* With a terminal: its master (out reads a duplicate), the stdin FIFO and the control FIFO (-1: none or closed). */
  int master, input, control;
  /* Read from the stdin FIFO, not yet taken by the master: the FIFO is not read again until it is. */
  size_t pending, sent;
  char inbuf[INPUT_BYTES];
  struct container *next;
};

static struct container *containers;

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Writes all of buf, or gives up quietly (a log whose sandbox was removed loses its lines, never the monitor). */
static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    buf += n;
    len -= (size_t)n;
  }
}

static void answer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void answer(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  write_all(STDOUT_FILENO, line, (size_t)n);
}

/* One log record: time, stream, tag, the bytes, a newline. */
static void log_line(struct container *c, const char *stream, char tag, const char *text, size_t len) {
  if (c->log < 0) return;
  struct timespec t;
  struct tm tm;
  char head[96];
  clock_gettime(CLOCK_REALTIME, &t);
  gmtime_r(&t.tv_sec, &tm);
  size_t h = strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
  h += (size_t)snprintf(head + h, sizeof head - h, ".%09ldZ %s %c ", t.tv_nsec, stream, tag);
  struct iovec parts[3] = { { head, h }, { (void *)text, len }, { "\n", 1 } };
  (void)writev(c->log, parts, 3);
}

/* Reads what the stream has; writes its whole lines. At its end, what is left is a last line. */
static void drain(struct container *c, struct stream *s) {
  for (;;) {
    ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      if (s->len > 0) log_line(c, s->name, 'F', s->buf, s->len);
      s->len = 0;
      close(s->fd);
      s->fd = -1;
      return;
    }
    s->len += (size_t)n;
    size_t start = 0;
    for (size_t i = s->len - (size_t)n; i < s->len; i++) {
      if (s->buf[i] != '\n') continue;
      log_line(c, s->name, 'F', s->buf + start, i - start);
      start = i + 1;
    }
    if ((start == 0 && s->len == sizeof s->buf) || (s->partial && start < s->len)) {
      log_line(c, s->name, 'P', s->buf + start, s->len - start);
      s->len = 0;
    } else if (start > 0) {
      memmove(s->buf, s->buf + start, s->len - start);
      s->len -= start;
    }
  }
}

/* Reports and forgets containers that ended and whose output is all in the log (or that had DRAIN_MS for it). */
static void report_exits(void) {
  long long now = now_ms();
  for (struct container **p = &containers; *p;) {
    struct container *c = *p;
    int drained = c->out.fd < 0 && c->err.fd < 0;
    if (!c->reaped || (!drained && now - c->reaped_at < DRAIN_MS)) {
      p = &c->next;
      continue;
    }
    if (c->out.fd >= 0) close(c->out.fd);
    if (c->err.fd >= 0) close(c->err.fd);
    if (c->log >= 0) close(c->log);
    if (c->master >= 0) close(c->master);
    if (c->input >= 0) close(c->input);
    if (c->control >= 0) close(c->control);
    answer("exited %d %d %d", (int)c->pid, c->code, c->signal);
    *p = c->next;
    free(c);
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct container *c = containers; c; c = c->next) {
      if (c->pid != pid) continue;
      c->reaped = 1;
      c->reaped_at = now_ms();
      c->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      c->code = WIFSIGNALED(status) ? 128 + c->signal : WEXITSTATUS(status);
    }
  }
}

/*
 * In the child, between fork and exec: anything that fails is written to `report` (close-on-exec) as errno. With a
 * terminal (`pts`, its slave's path) that is its stdio, opened once the child leads a session of its own so that it
 * can become the session's controlling terminal.
 */
static void __attribute__((noreturn)) become(const char *cwd, const char *in, const char *pts, char **argv, char **envp, int out, int err, int report, pid_t monitor) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  int failure = 0;
  if (setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) failure = errno;
  /* The monitor died in between: so does the container. */
  if (!failure && getppid() != monitor) _exit(137);
  if (pts) {
    int terminal = failure ? -1 : open(pts, O_RDWR);
    if (!failure && (terminal < 0 || ioctl(terminal, TIOCSCTTY, 0) < 0 || dup2(terminal, 0) < 0 || dup2(terminal, 1) < 0 || dup2(terminal, 2) < 0)) failure = errno;
    if (terminal > 2) close(terminal);
  } else {
    int input = open(in[0] ? in : "/dev/null", O_RDONLY);
    if (!failure && (input < 0 || dup2(input, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)) failure = errno;
    if (input > 2) close(input);
  }
  if (!failure && chdir(cwd) != 0) failure = errno;
  if (!failure) execve(argv[0], argv, envp);
  if (!failure) failure = errno;
  write_all(report, (const char *)&failure, sizeof failure);
  _exit(127);
}

/*
 * vfork: the child borrows this process's memory until it execs, so a start copies no page tables and this process
 * takes no copy-on-write faults afterwards. The child only makes system calls (become) before exec or _exit.
 */
static pid_t launch(const char *cwd, const char *in, const char *pts, char **argv, char **envp, int out, int err, int report) {
  pid_t monitor = getpid();
  pid_t pid = vfork();
  if (pid == 0) become(cwd, in, pts, argv, envp, out, err, report, monitor);
  return pid;
}

static void start(char *payload, size_t len) {
  size_t count = 0;
  for (size_t i = 0; i < len; i++) count += payload[i] == '\0';
  char **fields = calloc(count + 1, sizeof *fields);
  if (!fields) {
    answer("failed ? out of memory");
    return;
  }
  for (size_t at = 0, i = 0; i < count; i++) {
    fields[i] = payload + at;
    at += strlen(payload + at) + 1;
  }
  const char *id = count > 0 ? fields[0] : "?";
  size_t argc = count >= 7 ? strtoul(fields[5], NULL, 10) : 0;
  size_t envc = argc >= 1 && 6 + argc < count ? strtoul(fields[6 + argc], NULL, 10) : 0;
  if (argc < 1 || 7 + argc + envc != count) {
    answer("failed %s malformed request", id);
    free(fields);
    return;
  }
  const char *log_path = fields[1], *cwd = fields[2], *in = fields[3], *control_path = fields[4];
  char **argv = calloc(argc + 1, sizeof *argv), **envp = calloc(envc + 1, sizeof *envp);
  struct container *c = calloc(1, sizeof *c);
  int out[2] = { -1, -1 }, err[2] = { -1, -1 }, report[2] = { -1, -1 };
  int master = -1, input = -1, control = -1;
  char pts[64];
  if (!argv || !envp || !c || pipe2(report, O_CLOEXEC)) {
    answer("failed %s %s", id, strerror(errno));
    goto done;
  }
  if (control_path[0]) {
    /*
     * The FIFOs are opened here, before the fork, so that a container never runs without them. Both without
     * waiting: the shim holds the stdin FIFO's other end already; the control FIFO is opened for writing too, so
     * that it has a writer whoever else comes and goes and never polls as hung up.
     */
    if ((master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
        ptsname_r(master, pts, sizeof pts) != 0 || (out[0] = fcntl(master, F_DUPFD_CLOEXEC, 3)) < 0 ||
        (control = open(control_path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0 ||
        (in[0] && (input = open(in, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)) {
      answer("failed %s terminal: %s", id, strerror(errno));
      goto done;
    }
  } else if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    answer("failed %s %s", id, strerror(errno));
    goto done;
  }
  memcpy(argv, fields + 6, argc * sizeof *argv);
  memcpy(envp, fields + 7 + argc, envc * sizeof *envp);
  pid_t pid = launch(cwd, in, master >= 0 ? pts : NULL, argv, envp, out[1], err[1], report[1]);
  if (pid < 0) {
    answer("failed %s fork: %s", id, strerror(errno));
    goto done;
  }
  close(report[1]);
  report[1] = -1;
  int failure = 0;
  ssize_t n;
  while ((n = read(report[0], &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (n > 0) {
    /* Reaped by the SIGCHLD handling like any child, but never reported: it was no container. */
    answer("failed %s %s: %s", id, argv[0], strerror(failure));
    goto done;
  }
  c->pid = pid;
  c->log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  /* A terminal's duplicate shares the master's O_NONBLOCK: writes of input never block the monitor either. */
  c->out = (struct stream){ .fd = out[0], .name = "stdout", .partial = master >= 0 };
  c->err = (struct stream){ .fd = err[0], .name = "stderr" };
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  if (err[0] >= 0) fcntl(err[0], F_SETFL, O_NONBLOCK);
  c->master = master, c->input = input, c->control = control;
  out[0] = err[0] = master = input = control = -1;
  c->next = containers;
  containers = c;
  c = NULL;
  answer("started %s %d", id, (int)pid);
done:
  for (int i = 0; i < 2; i++) {
    if (out[i] >= 0) close(out[i]);
    if (err[i] >= 0) close(err[i]);
    if (report[i] >= 0) close(report[i]);
  }
  if (master >= 0) close(master);
  if (input >= 0) close(input);
  if (control >= 0) close(control);
  free(argv);
  free(envp);
  free(c);
  free(fields);
}

/* Takes what the stdin FIFO has for the terminal; at its end (stdinOnce), the terminal's end-of-file character. */
static void take_input(struct container *c) {
  ssize_t n;
  while ((n = read(c->input, c->inbuf, sizeof c->inbuf)) < 0 && errno == EINTR) {
  }
  if (n < 0 && errno == EAGAIN) return;
  if (n > 0) {
    c->pending = (size_t)n, c->sent = 0;
    return;
  }
  struct termios t;
  close(c->input);
  c->input = -1;
  c->inbuf[0] = tcgetattr(c->master, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
  c->pending = 1, c->sent = 0;
}

/* Gives the terminal what it will take of the pending input; a terminal that is gone gets no more. */
static void give_input(struct container *c) {
  ssize_t n = write(c->master, c->inbuf + c->sent, c->pending - c->sent);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n < 0) {
    c->pending = c->sent = 0;
    if (c->input >= 0) close(c->input);
    c->input = -1;
    return;
  }
  c->sent += (size_t)n;
  if (c->sent == c->pending) c->pending = c->sent = 0;
}

/* Sets the terminal's window to the last size the control FIFO has (records are whole: see CONTROL_RECORD). */
static void resize(struct container *c) {
  char buf[CONTROL_RECORD * 16 + 1];
  ssize_t n;
  while ((n = read(c->control, buf, sizeof buf - 1)) < 0 && errno == EINTR) {
  }
  if (n < CONTROL_RECORD) return;
  buf[n] = '\0';
  unsigned rows, cols;
  if (sscanf(buf + (n / CONTROL_RECORD - 1) * CONTROL_RECORD, "%u %u", &rows, &cols) != 2 || rows > 65535 || cols > 65535) return;
  struct winsize size = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
  (void)ioctl(c->master, TIOCSWINSZ, &size);
}

/* Whole requests from what stdin gave; returns how many bytes they took. */
static size_t requests(char *buf, size_t len) {
  size_t used = 0;
  for (;;) {
    char *nl = memchr(buf + used, '\n', len - used);
    if (!nl) return used;
    size_t size = strtoul(buf + used, NULL, 10);
    size_t body = (size_t)(nl - buf) + 1;
    if (len - body < size) return used;
    start(buf + body, size);
    used = body + size;
  }
}

int main(void) {
  pid_t shim = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != shim) return 1;
  /* Whatever the shim's own parent left open is no container's business. */
  if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (int fd = 3; fd < 1024; fd++) close(fd);
  }
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 1;
  size_t cap = 1 << 20, len = 0;
  char *in = malloc(cap);
  if (!in) return 1;
  for (;;) {
    size_t n = 2;
    for (struct container *c = containers; c; c = c->next) n += 4;
    struct pollfd *fds = calloc(n, sizeof *fds);
    struct container **owner = calloc(n, sizeof *owner);
    if (!fds || !owner) return 1;
    fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
    fds[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
    n = 2;
    int timeout = -1;
    for (struct container *c = containers; c; c = c->next) {
      if (c->out.fd >= 0) owner[n] = c, fds[n++] = (struct pollfd){ .fd = c->out.fd, .events = POLLIN };
      if (c->err.fd >= 0) owner[n] = c, fds[n++] = (struct pollfd){ .fd = c->err.fd, .events = POLLIN };
      if (c->input >= 0 && !c->pending) owner[n] = c, fds[n++] = (struct pollfd){ .fd = c->input, .events = POLLIN };
      if (c->pending) owner[n] = c, fds[n++] = (struct pollfd){ .fd = c->master, .events = POLLOUT };
      if (c->control >= 0) owner[n] = c, fds[n++] = (struct pollfd){ .fd = c->control, .events = POLLIN };
      if (c->reaped) {
        long long left = c->reaped_at + DRAIN_MS - now_ms();
        if (timeout < 0 || left < timeout) timeout = left < 0 ? 0 : (int)left;
      }
    }
    if (poll(fds, n, timeout) < 0 && errno != EINTR) return 1;
    for (size_t i = 2; i < n; i++) {
      if (!fds[i].revents) continue;
      struct container *c = owner[i];
      if (fds[i].fd == c->input) take_input(c);
      else if (fds[i].fd == c->master) give_input(c);
      else if (fds[i].fd == c->control) resize(c);
      else drain(c, fds[i].fd == c->out.fd ? &c->out : &c->err);
    }
    if (fds[1].revents) {
      struct signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) > 0) {
      }
      reap();
    }
    if (fds[0].revents) {
      if (len == cap) {
        char *bigger = realloc(in, cap * 2);
        if (!bigger) return 1;
        in = bigger;
        cap *= 2;
      }
      ssize_t got = read(STDIN_FILENO, in + len, cap - len);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) return 0;
      if (got > 0) {
        len += (size_t)got;
        size_t used = requests(in, len);
        memmove(in, in + used, len - used);
        len -= used;
      }
    }
    free(fds);
    free(owner);
    report_exits();
  }
}
