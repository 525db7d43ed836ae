/* lossy_relay.c - a user-space L2 relay between two interfaces (AF_PACKET) that drops, duplicates, delays and reorders frames with a seeded generator, and can stand in for a smaller-MTU hop or an 802.1Q trunk: netem (and a VLAN sub-interface) for kernels without them. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME 2048
#define MAX_HELD 8192	/* frames waiting for their release time, both directions */

struct impair {
	double loss, dup, reorder;	/* probabilities per frame */
	uint64_t delay_us, jitter_us, reorder_us;
	unsigned int mtu;		/* IPv4 packets longer than this are not relayed (0: any) */
	int icmp;			/* ... and, with DF set, answered with fragmentation needed */
	unsigned int vlan;		/* b is a trunk: frames to b tagged this, only those from b
					   tagged this relayed (0: no tags) */
};

struct held {
	uint64_t due_us;
	uint64_t seq;		/* arrival order: frames due at the same time leave in it */
	int out;		/* socket to send on */
	uint16_t len;
	uint8_t data[MAX_FRAME];
};

struct dir_stats {
	uint64_t in, out, lost, dup, reordered, overflow, too_big, icmp, vlan_other;
};

static struct held *held;
static unsigned int nheld;
static uint64_t nseq;
static volatile sig_atomic_t stop;
static uint64_t rng_state;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* xorshift64*: small, seeded, the same sequence for the same seed. */
static double
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 0x2545F4914F6CDD1DULL) >> 11) / (double)(1ULL << 53);
}

static int
open_if(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int one = 1, fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return -1;
	}
	sll.sll_ifindex = (int)if_nametoindex(name);
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "lossy_relay: no interface %s\n", name);
		close(fd);
		return -1;
	}
	/* Our own transmissions must not come back to us as input; the kernel takes a VLAN tag
	 * out of a received frame (skb_vlan_untag) and tells it in the auxiliary data. */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror(name);
		close(fd);
		return -1;
	}
	return fd;
}

static void
hold(int out, const uint8_t *data, uint16_t len, uint64_t due, struct dir_stats *st)
{
	if (nheld == MAX_HELD) {
		st->overflow++;
		return;
	}
	held[nheld].due_us = due;
	held[nheld].seq = nseq++;
	held[nheld].out = out;
	held[nheld].len = len;
	memcpy(held[nheld].data, data, len);
	nheld++;
}

/* Send every held frame whose time has come, in release-time order; return the next due time. */
static uint64_t
release(uint64_t now, struct dir_stats *st_of_fd[], int fds[2])
{
	uint64_t next = UINT64_MAX;

	for (;;) {
		unsigned int best = nheld;

		for (unsigned int i = 0; i < nheld; i++)
			if (held[i].due_us <= now &&
			    (best == nheld || held[i].due_us < held[best].due_us ||
			     (held[i].due_us == held[best].due_us && held[i].seq < held[best].seq)))
				best = i;
		if (best == nheld)
			break;
		if (send(held[best].out, held[best].data, held[best].len, 0) == (ssize_t)held[best].len)
			st_of_fd[held[best].out == fds[0] ? 1 : 0]->out++;
		held[best] = held[--nheld];
	}
	for (unsigned int i = 0; i < nheld; i++)
		if (held[i].due_us < next)
			next = held[i].due_us;
	return next;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: lossy_relay -a IF -b IF [--seed N] [--loss P] [--dup P] [--reorder P]\n"
		"                   [--delay-us N] [--jitter-us N] [--reorder-us N] [--duration S]\n"
		"                   [--mtu N [--icmp]] [--vlan ID]\n"
		"Relays every frame between IF a and IF b, each direction impaired independently.\n"
		"--mtu: IPv4 packets over N bytes are not relayed; --icmp: those with DF are answered\n"
		"with ICMP fragmentation needed (RFC 1191), as a router with a smaller next hop does.\n"
		"--vlan: b is an 802.1Q trunk: frames to it are tagged ID, frames from it relayed\n"
		"untagged only when tagged ID (others counted as vlan_other).\n");
}

/* The relay's settings from the command line. Returns 0, or 2 after printing the usage. */
static int
parse_args(int argc, char **argv, struct impair *imp, const char **ifa, const char **ifb,
	   uint64_t *seed, uint64_t *duration_s)
{
	static const struct option lo[] = {
		{ "seed", 1, NULL, 's' }, { "loss", 1, NULL, 'l' }, { "dup", 1, NULL, 'd' },
		{ "reorder", 1, NULL, 'r' }, { "delay-us", 1, NULL, 'D' },
		{ "jitter-us", 1, NULL, 'J' }, { "reorder-us", 1, NULL, 'R' },
		{ "duration", 1, NULL, 't' }, { "mtu", 1, NULL, 'm' }, { "icmp", 0, NULL, 'i' },
		{ "vlan", 1, NULL, 'v' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "a:b:", lo, NULL)) != -1) {
		switch (opt) {
		case 'a': *ifa = optarg; break;
		case 'b': *ifb = optarg; break;
		case 's': *seed = strtoull(optarg, NULL, 0); break;
		case 'l': imp->loss = atof(optarg); break;
		case 'd': imp->dup = atof(optarg); break;
		case 'r': imp->reorder = atof(optarg); break;
		case 'D': imp->delay_us = strtoull(optarg, NULL, 0); break;
		case 'J': imp->jitter_us = strtoull(optarg, NULL, 0); break;
		case 'R': imp->reorder_us = strtoull(optarg, NULL, 0); break;
		case 't': *duration_s = strtoull(optarg, NULL, 0); break;
		case 'm': imp->mtu = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'i': imp->icmp = 1; break;
		case 'v': imp->vlan = (unsigned int)strtoul(optarg, NULL, 0); break;
		default: usage(); return 2;
		}
	}
	if (*ifa == NULL || *ifb == NULL || imp->loss < 0 || imp->loss >= 1 || *duration_s == 0 ||
	    (imp->mtu != 0 && imp->mtu < 576) || (imp->icmp && imp->mtu == 0) || imp->vlan > 4094) {
		usage();
		return 2;
	}
	return 0;
}

static uint16_t
cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The IPv4 total length of an Ethernet frame, or 0 when it is not IPv4. */
static unsigned int
ip_len(const uint8_t *f, uint16_t n)
{
	if (n < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
		return 0;
	return (unsigned int)f[16] << 8 | f[17];
}

/* Answer too-big frame @p f (from the interface of socket @p back) with ICMP type 3 code 4 from
 * the packet's destination, quoting its header and 8 bytes (RFC 792). */
static void
send_toobig(int back, const uint8_t *f, unsigned int mtu, struct dir_stats *st)
{
	uint8_t r[14 + 20 + 8 + 60 + 8];
	unsigned int ihl = (unsigned int)(f[14] & 0xf) * 4, q = ihl + 8;

	if (ihl < 20 || ihl > 60 || !(f[20] & 0x40))
		return;	/* no DF: a router would fragment */
	memcpy(r, f + 6, 6);		/* back to the sender */
	memcpy(r + 6, f, 6);
	r[12] = 0x08;
	r[13] = 0x00;
	memset(r + 14, 0, 28);
	r[14] = 0x45;
	r[16] = (uint8_t)((20 + 8 + q) >> 8);
	r[17] = (uint8_t)(20 + 8 + q);
	r[22] = 64;
	r[23] = 1;			/* ICMP */
	memcpy(r + 26, f + 30, 4);	/* from the packet's destination */
	memcpy(r + 30, f + 26, 4);	/* to its source */
	r[24] = (uint8_t)(cksum(r + 14, 20) >> 8);
	r[25] = (uint8_t)cksum(r + 14, 20);
	r[34] = 3;
	r[35] = 4;
	r[40] = (uint8_t)(mtu >> 8);
	r[41] = (uint8_t)mtu;
	memcpy(r + 42, f + 14, q);
	r[36] = (uint8_t)(cksum(r + 34, 8 + q) >> 8);
	r[37] = (uint8_t)cksum(r + 34, 8 + q);
	if (send(back, r, 14 + 20 + 8 + q, 0) > 0)
		st->icmp++;
}

/* One frame received: lose it, or hold it (maybe twice, maybe late) for its release time. */
static void
impair_frame(const struct impair *imp, int out, const uint8_t *buf, uint16_t n,
	     struct dir_stats *s)
{
	uint64_t due = now_us() + imp->delay_us;

	s->in++;
	if (imp->jitter_us > 0)
		due += (uint64_t)(rnd() * (double)imp->jitter_us);
	if (rnd() < imp->loss) {
		s->lost++;
		return;
	}
	if (rnd() < imp->reorder) {
		due += imp->reorder_us;	/* later frames overtake this one */
		s->reordered++;
	}
	hold(out, buf, n, due, s);
	if (rnd() < imp->dup) {
		s->dup++;
		hold(out, buf, n, due + 1, s);
	}
}

/* One frame from @p fd into @p buf: its length (<= 0: none), and in *@p vid its VLAN ID as the
 * kernel took it out (-1: untagged). */
static ssize_t
recv_frame(int fd, uint8_t *buf, size_t size, int *vid)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(fd, &msg, 0);

	*vid = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n > 0 && c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (aux.tp_status & TP_STATUS_VLAN_VALID)
			*vid = aux.tp_vlan_tci & 0xfff;
	}
	return n;
}

/* --vlan: a frame towards the trunk gets the tag (returns its new length); one from it must
 * carry the tag (the kernel's or still in the frame, removed here), else 0: not relayed. */
static uint16_t
vlan_map(const struct impair *imp, int to_trunk, uint8_t *buf, uint16_t n, int vid)
{
	if (to_trunk) {
		if (n + 4 > MAX_FRAME || n < 14)
			return 0;
		memmove(buf + 16, buf + 12, n - 12u);
		buf[12] = 0x81;
		buf[13] = 0x00;
		buf[14] = (uint8_t)(imp->vlan >> 8);
		buf[15] = (uint8_t)imp->vlan;
		return (uint16_t)(n + 4);
	}
	if (vid < 0 && n >= 18 && buf[12] == 0x81 && buf[13] == 0x00) {
		vid = (buf[14] & 0x0f) << 8 | buf[15];
		memmove(buf + 12, buf + 16, n - 16u);
		n = (uint16_t)(n - 4);
	}
	return vid == (int)imp->vlan ? n : 0;
}

/* Relay until a signal or the end time, releasing held frames as they come due. */
static void
relay(const struct impair *imp, int fds[2], struct dir_stats st[2], uint64_t end)
{
	struct dir_stats *st_of_fd[2] = { &st[0], &st[1] };
	struct pollfd pfd[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = fds[1], .events = POLLIN } };
	uint8_t buf[MAX_FRAME];

	while (!stop) {
		uint64_t now = now_us(), next = release(now, st_of_fd, fds);
		int timeout = next == UINT64_MAX ? 50 : (int)((next - now) / 1000);

		if (now >= end)
			break;
		if (timeout > 50)
			timeout = 50;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(pfd[i].revents & POLLIN))
				continue;
			int vid;

			while ((n = recv_frame(fds[i], buf, sizeof(buf) - 4, &vid)) > 0) {
				if (imp->vlan != 0 &&
				    (n = vlan_map(imp, i == 0, buf, (uint16_t)n, vid)) == 0) {
					st[i].vlan_other++;
					continue;
				}
				if (imp->mtu != 0 && ip_len(buf, (uint16_t)n) > imp->mtu) {
					st[i].too_big++;
					if (imp->icmp)
						send_toobig(fds[i], buf, imp->mtu, &st[i]);
					continue;
				}
				impair_frame(imp, fds[1 - i], buf, (uint16_t)n, &st[i]);
			}
		}
	}
}

int
main(int argc, char **argv)
{
	struct impair imp = { .reorder_us = 2000 };
	struct dir_stats st[2] = { 0 };	/* 0: a -> b, 1: b -> a */
	const char *ifa = NULL, *ifb = NULL;
	uint64_t seed = 1, duration_s = 60;
	int fds[2];

	if (parse_args(argc, argv, &imp, &ifa, &ifb, &seed, &duration_s) != 0)
		return 2;
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	held = calloc(MAX_HELD, sizeof(*held));
	fds[0] = open_if(ifa);
	fds[1] = open_if(ifb);
	if (held == NULL || fds[0] < 0 || fds[1] < 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("lossy_relay: %s <-> %s seed %llu loss %.3f dup %.3f reorder %.3f delay %llu+-%llu us\n",
	       ifa, ifb, (unsigned long long)seed, imp.loss, imp.dup, imp.reorder,
	       (unsigned long long)imp.delay_us, (unsigned long long)imp.jitter_us);
	fflush(stdout);
	/* bounded, whatever happens to the caller */
	relay(&imp, fds, st, now_us() + duration_s * 1000000);
	for (int i = 0; i < 2; i++) {
		/* frames the kernel dropped before the relay read them (its socket's queue was full) */
		struct tpacket_stats ks = { 0 };
		socklen_t kl = sizeof(ks);

		if (getsockopt(fds[i], SOL_PACKET, PACKET_STATISTICS, &ks, &kl) != 0)
			ks.tp_drops = 0;
		printf("lossy_relay: %s: in %llu out %llu lost %llu duplicated %llu reordered %llu overflow %llu "
		       "too_big %llu icmp %llu vlan_other %llu socket_drops %u\n",
		       i == 0 ? "a->b" : "b->a", (unsigned long long)st[i].in,
		       (unsigned long long)st[i].out, (unsigned long long)st[i].lost,
		       (unsigned long long)st[i].dup, (unsigned long long)st[i].reordered,
		       (unsigned long long)st[i].overflow, (unsigned long long)st[i].too_big,
		       (unsigned long long)st[i].icmp, (unsigned long long)st[i].vlan_other,
		       ks.tp_drops);
	}
	return 0;
}
