/*
 * crx-netns: makes a pod sandbox's network namespace in one program start, for a sandbox that finds no spare ready.
 *
 * Usage: crx-netns VETH BRIDGE GATEWAY IP. It forks the sandbox's pause process, which unshares a network namespace
 * and the pod's IPC namespace (its containers join both, as a pause container's) and waits there for ever (it ends
 * on SIGKILL, SIGTERM, SIGINT or SIGHUP, as `sleep infinity` did), then over rtnetlink:
 *   1. adds the veth pair VETH (on the host, on BRIDGE, up) and eth0 (in the pause's namespace);
 *   2. in that namespace: lo up, IP/32 on eth0, eth0 up, a route to GATEWAY on eth0, the default route via GATEWAY;
 *   3. on the host: IP/32 routed to BRIDGE (replacing any route left for that address).
 * It prints the pause's pid and exits 0. A step that fails is written to stderr as `crx-netns: <step>: <reason>`,
 * the pause is killed (its namespace and both veth ends go with it) and it exits 1.
 *
 * The same set-up from the runtime (a 90 MB Node.js process) took three forks of it and five dynamically linked
 * programs (`unshare`, `sleep`, `ip` twice, `nsenter`). The pause stays in the caller's process group and outlives
 * this program, so a host killed as a whole takes its pods' namespaces with it and a restarted runtime keeps them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pid_t pause_pid = 0;

static void fail(const char *fmt, ...) {
  va_list ap;
  int saved = errno;
  fputs("crx-netns: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s\n", strerror(saved));
  if (pause_pid > 0) kill(pause_pid, SIGKILL);
  exit(1);
}

struct request {
  struct nlmsghdr h;
  char body[2048];
};

static void *tail(struct request *r) {
  return (char *)&r->h + NLMSG_ALIGN(r->h.nlmsg_len);
}

static void start(struct request *r, int type, int flags, const void *head, size_t size) {
  memset(r, 0, sizeof *r);
  r->h.nlmsg_len = NLMSG_LENGTH(size);
  r->h.nlmsg_type = (unsigned short)type;
  r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
  memcpy(NLMSG_DATA(&r->h), head, size);
}

static struct rtattr *attr(struct request *r, int type, const void *data, size_t len) {
  struct rtattr *a = tail(r);
  a->rta_type = (unsigned short)type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}

static void end_nest(struct request *r, struct rtattr *nest) {
  nest->rta_len = (unsigned short)((char *)tail(r) - (char *)nest);
}

/* Sends the request and reads its acknowledgement; sets errno and returns -1 when the kernel refused it. */
static int talk(int fd, struct request *r) {
  static unsigned int seq = 0;
  r->h.nlmsg_seq = ++seq;
  if (send(fd, &r->h, r->h.nlmsg_len, 0) < 0) return -1;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != r->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      int error = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (error == 0) return 0;
      errno = -error;
      return -1;
    }
  }
}

static int route_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) fail("netlink socket");
  return fd;
}

static unsigned int index_of(const char *name) {
  unsigned int index = if_nametoindex(name);
  if (!index) fail("find %s", name);
  return index;
}

static void link_up(int fd, const char *name) {
  struct request r;
  struct ifinfomsg info = { .ifi_family = AF_UNSPEC, .ifi_index = (int)index_of(name), .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  start(&r, RTM_NEWLINK, 0, &info, sizeof info);
  if (talk(fd, &r) < 0) fail("set %s up", name);
}

/* A route to `dst`/`dst_len` out of `dev`, through `gateway` when given. */
static void add_route(int fd, const char *what, struct in_addr dst, int dst_len, const struct in_addr *gateway, unsigned int dev, int flags) {
  struct request r;
  struct rtmsg rt = {
    .rtm_family = AF_INET, .rtm_dst_len = (unsigned char)dst_len, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
    .rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, .rtm_type = RTN_UNICAST,
  };
  start(&r, RTM_NEWROUTE, NLM_F_CREATE | flags, &rt, sizeof rt);
  if (dst_len) attr(&r, RTA_DST, &dst, sizeof dst);
  if (gateway) attr(&r, RTA_GATEWAY, gateway, sizeof *gateway);
  attr(&r, RTA_OIF, &dev, sizeof dev);
  if (talk(fd, &r) < 0) fail("add the route %s", what);
}

static struct in_addr address(const char *text, const char *what) {
  struct in_addr a;
  if (inet_pton(AF_INET, text, &a) != 1) {
    errno = EINVAL;
    fail("%s %s", what, text);
  }
  return a;
}

/* The pause: a network and an IPC namespace of its own (one unshare), then nothing until a signal ends it. */
static void run_pause(int ready) {
  /* First: the caller's output ends when this program does, not when the pause does. */
  int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; fd++) dup2(null, fd);
  if (null > 2) close(null);
  int result = unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0 ? 0 : errno;
  (void)!write(ready, &result, sizeof result);
  if (result) _exit(1);
  close(ready);
  for (;;) pause();
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fputs("usage: crx-netns VETH BRIDGE GATEWAY IP\n", stderr);
    return 2;
  }
  const char *veth = argv[1], *bridge = argv[2];
  struct in_addr gateway = address(argv[3], "gateway"), ip = address(argv[4], "address");
  if (strlen(veth) >= IFNAMSIZ) {
    errno = ENAMETOOLONG;
    fail("veth name %s", veth);
  }
  int host = route_socket();
  unsigned int bridge_index = index_of(bridge);

  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) fail("pipe");
  pause_pid = fork();
  if (pause_pid < 0) fail("fork the pause");
  if (pause_pid == 0) {
    close(ready[0]);
    run_pause(ready[1]);
  }
  close(ready[1]);
  int result = -1;
  if (read(ready[0], &result, sizeof result) != sizeof result) fail("the pause process ended");
  if (result) {
    errno = result;
    fail("unshare the network and IPC namespaces");
  }

  /* 1. The veth pair: VETH on the bridge and up here, eth0 in the pause's namespace. */
  struct request r;
  struct ifinfomsg info = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof info);
  attr(&r, IFLA_IFNAME, veth, strlen(veth) + 1);
  attr(&r, IFLA_MASTER, &bridge_index, sizeof bridge_index);
  struct rtattr *linkinfo = attr(&r, IFLA_LINKINFO, NULL, 0);
  attr(&r, IFLA_INFO_KIND, "veth", 4);
  struct rtattr *data = attr(&r, IFLA_INFO_DATA, NULL, 0);
  struct ifinfomsg peer_info = { .ifi_family = AF_UNSPEC };
  struct rtattr *peer = attr(&r, VETH_INFO_PEER, &peer_info, sizeof peer_info);
  attr(&r, IFLA_IFNAME, "eth0", 5);
  unsigned int pid = (unsigned int)pause_pid;
  attr(&r, IFLA_NET_NS_PID, &pid, sizeof pid);
  end_nest(&r, peer);
  end_nest(&r, data);
  end_nest(&r, linkinfo);
  if (talk(host, &r) < 0) fail("add the veth pair %s", veth);

  /* 2. Inside: a socket made after setns talks to the pause's namespace. */
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pause_pid);
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) fail("open %s", path);
  if (setns(ns, CLONE_NEWNET) != 0) fail("join %s", path);
  int inside = route_socket();
  link_up(inside, "lo");
  unsigned int eth0 = index_of("eth0");
  struct ifaddrmsg addr = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = eth0 };
  start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &addr, sizeof addr);
  attr(&r, IFA_LOCAL, &ip, sizeof ip);
  attr(&r, IFA_ADDRESS, &ip, sizeof ip);
  if (talk(inside, &r) < 0) fail("add the address %s to eth0", argv[4]);
  link_up(inside, "eth0");
  add_route(inside, "to the gateway", gateway, 32, NULL, eth0, NLM_F_EXCL);
  add_route(inside, "by default", (struct in_addr){ 0 }, 0, &gateway, eth0, NLM_F_EXCL);

  /* 3. On the host (its socket was made before setns): the address, routed to the bridge. */
  add_route(host, "to the pod on the host", ip, 32, NULL, bridge_index, NLM_F_REPLACE);
  printf("%d\n", (int)pause_pid);
  return 0;
}
