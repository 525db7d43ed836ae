/* microbench.c - the packet path without a NIC: frames straight into worker_input(), replies to a ring; ns and (under callgrind) instructions per packet for seven scenarios. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "build.h"
#include "config.h"
#include "flow.h"
#include "mem.h"
#include "parse.h"
#include "port.h"
#include "worker.h"

/*
 * Scenarios (run one alone with its name as the second argument, so that `valgrind
 * --tool=callgrind --toggle-collect=feed` counts exactly the timed work):
 *   syn       SYN -> SYN-ACK, a new record each
 *   http      a whole short HTTP/1.1 connection on the server: SYN; ACK + GET (response);
 *             FIN (our FIN); the last ACK (record released) - 4 packets in, 3 out
 *   deep      the same, 2048 connections at a time: each is touched again only after 2047 others
 *             were (a server with that many in flight: records and responses out of the cache)
 *   http6     the http scenario over IPv6
 *   data      an in-order 1000-byte segment into discard, with its (delayed, every second) ACK
 *   ack       a pure ACK on an established connection that acknowledges nothing new
 *   keep      keep-alive HTTP: 32 connections, each request (tcpe's client's: Host and
 *             User-Agent) acknowledging the response before it - one packet in, one out
 * Only worker_input(), the TX flush and freeing what the "wire" received are timed; building the
 * peer's frames and reading our ISNs from the SYN-ACKs happen outside the clock.
 */
#define BURST 32
#define NB_MBUF 65536
#define DEEP 2048	/* connections in flight in the deep scenario */

static struct rte_mempool *mp;
static struct rte_ring *wire_in, *wire_out;
static struct port_info pinfo;
static struct tcpe_config cfg;
static struct worker *w;
static struct port_link plink;
static uint16_t port_id;
static struct net_addr peer;
static struct tx_props peer_tx;
static uint32_t tcpe_ip;
static bool over6;		/* frames and records of the IPv6 scenario */
static uint8_t tcpe_ip6[16];
static uint64_t cycles;		/* timed cycles of the current scenario */
static uint64_t pkts_in;

static struct rte_mbuf *
frame(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
      uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct tcp_tuple tp = { .raddr = tcpe_ip, .laddr = peer.ip, .rport = htons(dport),
				.lport = htons(sport) };
	struct tcp_out o = { .seq = seq, .ack = ack, .len = len, .wnd = 65535, .flags = flags };

	if (m == NULL) {
		fprintf(stderr, "microbench: mbuf pool empty\n");
		exit(1);
	}
	if (flags & TCP_SYN) {
		struct tcp_opts opts = { .present = TCP_HAVE_MSS, .mss = 1460 };

		o.optlen = (uint8_t)tcp_opts_build(o.opt, &opts);
	}
	if (len > 0)
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	if ((over6 ? build_tcp6_psum(m, &peer_tx, &pinfo.mac, tcpe_ip6, &tp, &o, -1) :
		     build_tcp(m, &peer_tx, &pinfo.mac, &tp, &o)) != 0)
		exit(1);
	return m;
}

/* @p n frames as one burst into the worker; flush; free what came out. Returns frames out. */
static inline unsigned int
input(struct rte_mbuf **m, unsigned int n)
{
	struct rte_mbuf *out[4 * BURST];
	unsigned int k, total = 0;

	conn_set_now(w->conn, (uint64_t)(((unsigned __int128)rte_rdtsc() * w->tsc_mult) >> 32));
	worker_input(w, 0, m, (uint16_t)n);
	conn_timers(w->conn);
	txbuf_flush(&w->ports[0].txb, &w->st);
	while ((k = rte_ring_dequeue_burst(wire_out, (void **)out, RTE_DIM(out), NULL)) > 0) {
		rte_pktmbuf_free_bulk(out, k);
		total += k;
	}
	return total;
}

/* input(), timed. Never inlined: callgrind counts exactly this function's work
 * (--toggle-collect=feed). */
static __attribute__((noinline)) unsigned int
feed(struct rte_mbuf **m, unsigned int n)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned int total = input(m, n);

	cycles += rte_rdtsc_precise() - t0;
	pkts_in += n;
	return total;
}

static struct conn *
record(uint16_t sport, uint16_t dport)
{
	struct tcp_tuple key = { .raddr = peer.ip, .laddr = tcpe_ip, .rport = htons(sport),
				 .lport = htons(dport) };
	void *ref;

	if (over6) {	/* the stand-in of the peer's address under the worker's secret */
		key.raddr = net_ip6_key(&w->ports[0].addr, peer_tx.ip6);
		key.laddr = tuple_laddr_ip6(0);
	}
	ref = flow_lookup(w->conn->flows, &key);

	return ref != NULL && !conn_ref_is_tw(ref) ? ref : NULL;
}

static const char request[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";

void bench_syn(unsigned int conns);
void bench_http(unsigned int conns);
void bench_deep(unsigned int conns);
void bench_http6(unsigned int conns);
void bench_data(unsigned int segs);
void bench_ack(unsigned int acks);
void bench_keep(unsigned int reqs);

void
bench_syn(unsigned int conns)
{
	struct rte_mbuf *m[BURST];

	for (unsigned int c = 0; c < conns; c += BURST) {
		for (unsigned int i = 0; i < BURST; i++)
			m[i] = frame((uint16_t)(1024 + c + i), 80, TCP_SYN, 1000, 0, NULL, 0);
		feed(m, BURST);
	}
}

/* Short HTTP connections, @p depth at a time: each phase (SYN; ACK + GET; FIN; last ACK) runs
 * over all of them, in bursts, before the next, so a record and its response are touched again
 * only after depth - 1 other connections were (a server with that many in flight). */
static void
http_at_depth(unsigned int conns, unsigned int depth)
{
	static uint32_t iss[DEEP];
	struct rte_mbuf *m[BURST];

	for (unsigned int c = 0; c < conns; c += depth) {
		uint16_t base = (uint16_t)(20000 + c % 40000);

		for (unsigned int j = 0; j < depth; j += BURST) {
			for (unsigned int i = 0; i < BURST; i++)
				m[i] = frame((uint16_t)(base + j + i), 80, TCP_SYN, 5000, 0, NULL, 0);
			feed(m, BURST);
		}
		for (unsigned int j = 0; j < depth; j += BURST) {
			for (unsigned int i = 0; i < BURST; i++) {
				uint16_t sport = (uint16_t)(base + j + i);
				struct conn *r = record(sport, 80);

				iss[j + i] = r != NULL ? r->tcb.iss : 0;
				m[i] = frame(sport, 80, TCP_ACK | TCP_PSH, 5001, iss[j + i] + 1, request,
					     sizeof(request) - 1);
			}
			feed(m, BURST);
		}
		for (unsigned int j = 0; j < depth; j += BURST) {
			for (unsigned int i = 0; i < BURST; i++) {
				uint16_t sport = (uint16_t)(base + j + i);
				struct conn *r = record(sport, 80);
				uint32_t acked = r != NULL ? r->tcb.snd_max : iss[j + i] + 1;

				m[i] = frame(sport, 80, TCP_ACK | TCP_FIN, 5001 + sizeof(request) - 1,
					     acked, NULL, 0);
				iss[j + i] = acked;
			}
			feed(m, BURST);
		}
		for (unsigned int j = 0; j < depth; j += BURST) {
			for (unsigned int i = 0; i < BURST; i++)
				m[i] = frame((uint16_t)(base + j + i), 80, TCP_ACK,
					     5001 + sizeof(request), iss[j + i] + 1, NULL, 0);
			feed(m, BURST);
		}
	}
}

void
bench_http(unsigned int conns)
{
	http_at_depth(conns, BURST);
}

void
bench_deep(unsigned int conns)
{
	http_at_depth(conns, DEEP);
}

void
bench_http6(unsigned int conns)
{
	over6 = true;
	http_at_depth(conns, BURST);
	over6 = false;
}

/* An established connection from @p sport to @p dport; returns our ISN + 1. */
static uint32_t
establish(uint16_t sport, uint16_t dport, uint32_t seq)
{
	struct rte_mbuf *m[1];
	struct conn *r;

	m[0] = frame(sport, dport, TCP_SYN, seq, 0, NULL, 0);
	feed(m, 1);
	r = record(sport, dport);
	if (r == NULL)
		exit(1);
	m[0] = frame(sport, dport, TCP_ACK, seq + 1, r->tcb.iss + 1, NULL, 0);
	feed(m, 1);
	return r->tcb.iss + 1;
}

void
bench_data(unsigned int segs)
{
	static uint8_t payload[1000];
	struct rte_mbuf *m[BURST];
	uint32_t ack = establish(60001, 9, 1), seq = 2;

	for (unsigned int s = 0; s < segs; s += BURST) {
		for (unsigned int i = 0; i < BURST; i++, seq += sizeof(payload))
			m[i] = frame(60001, 9, TCP_ACK, seq, ack, payload, sizeof(payload));
		feed(m, BURST);
	}
}

void
bench_ack(unsigned int acks)
{
	struct rte_mbuf *m[BURST];
	uint32_t ack = establish(60002, 9, 1);

	for (unsigned int s = 0; s < acks; s += BURST) {
		for (unsigned int i = 0; i < BURST; i++)
			m[i] = frame(60002, 9, TCP_ACK, 2, ack, NULL, 0);
		feed(m, BURST);
	}
}

/* Keep-alive requests on BURST connections set up outside the count; each request acknowledges
 * the response to the one before it. */
void
bench_keep(unsigned int reqs)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: 198.18.0.1\r\nUser-Agent: tcpe\r\n\r\n";
	uint32_t seq[BURST], ack[BURST];
	struct rte_mbuf *m[BURST];
	uint64_t answered = w->st.http_resp_2xx;

	for (unsigned int i = 0; i < BURST; i++) {
		uint16_t sport = (uint16_t)(61000 + i);
		struct conn *r;

		m[0] = frame(sport, 80, TCP_SYN, 1, 0, NULL, 0);
		input(m, 1);
		if ((r = record(sport, 80)) == NULL)
			exit(1);
		m[0] = frame(sport, 80, TCP_ACK, 2, r->tcb.iss + 1, NULL, 0);
		input(m, 1);
		seq[i] = 2;
		ack[i] = r->tcb.iss + 1;
	}
	for (unsigned int n = 0; n < reqs; n += BURST) {
		for (unsigned int i = 0; i < BURST; i++)
			m[i] = frame((uint16_t)(61000 + i), 80, TCP_ACK | TCP_PSH, seq[i], ack[i], req,
				     sizeof(req) - 1);
		feed(m, BURST);
		for (unsigned int i = 0; i < BURST; i++) {
			struct conn *r = record((uint16_t)(61000 + i), 80);

			if (r == NULL)
				exit(1);
			seq[i] += sizeof(req) - 1;
			ack[i] = r->tcb.snd_max;	/* the response */
		}
	}
	if (w->st.http_resp_2xx - answered != reqs) {
		fprintf(stderr, "microbench: keep: %llu of %u requests answered\n",
			(unsigned long long)(w->st.http_resp_2xx - answered), reqs);
		exit(1);
	}
}

static void
report(const char *name, unsigned int units, const char *unit, void (*fn)(unsigned int))
{
	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();

	cycles = pkts_in = 0;
	fn(units);
	printf("%-6s %8u %-5s %8.1f ns/packet in %9.1f ns/%s  (%.0f cycles/packet)\n", name,
	       units, unit, (double)cycles * ns_per_cycle / (double)pkts_in,
	       (double)cycles * ns_per_cycle / units, unit, (double)cycles / (double)pkts_in);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char *args[] = { "microbench", "--ip", "198.18.0.1/24", "--ip6", "2001:2::1/64",
			 "--listen", "80:http",
			 "--listen", "9:discard", "--max-conns", "131072", "--mbufs", "65536",
			 "--time-wait-max", "262144", "--trace", "0", NULL };
	unsigned int n = 131072;
	const char *only = NULL, *ops;
	struct rte_ring *rx, *tx;
	int eal, p;

	eal = rte_eal_init(argc, argv);
	if (eal < 0)
		return 1;
	if (argc - eal > 1)
		n = (unsigned int)strtoul(argv[eal + 1], NULL, 0) & ~(BURST - 1u);
	if (argc - eal > 2)
		only = argv[eal + 2];	/* one scenario (for callgrind --toggle-collect=feed) */
	if (config_parse(&cfg, (int)RTE_DIM(args) - 1, args, stderr) != 0)
		return 2;
	/* the pool as tcpe makes its own (handler and cache) */
	mp = mem_pool_create("bench_mp", NB_MBUF, MEM_MBUF_CACHE, (int)rte_socket_id(), &ops);
	rx = rte_ring_create("bench_in", 1024, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx = rte_ring_create("bench_out", 4096, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (mp == NULL || rx == NULL || tx == NULL)
		return 1;
	wire_in = rx;
	wire_out = tx;
	p = rte_eth_from_rings("net_ring_bench", &rx, 1, &tx, 1, (unsigned int)rte_socket_id());
	if (p < 0 || port_setup((uint16_t)p, 1, mp, &pinfo, NULL) != 0)
		return 1;
	port_id = (uint16_t)p;
	link_init(&plink, port_id, pinfo.driver, 1, &pinfo.mac);
	{
		struct worker_spec spec = {
			.cfg = &cfg, .index = 0, .lcore = rte_lcore_id(), .nworkers = 1, .mp = mp,
			.nports = 1, .port_ids = &port_id, .pinfo = &pinfo, .links = &plink,
		};

		w = worker_create(&spec);
	}
	if (w == NULL)
		return 1;
	tcpe_ip = cfg.ports[0].ip;
	peer.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 2 } };
	inet_pton(AF_INET, "198.18.0.2", &peer.ip);
	peer_tx.mac = peer.mac;
	inet_pton(AF_INET6, "2001:2::2", peer_tx.ip6);
	memcpy(tcpe_ip6, cfg.ports[0].ip6, 16);

	printf("microbench: one worker, no NIC (replies to a ring), %u units per scenario, TSC %.2f GHz\n",
	       n, (double)rte_get_tsc_hz() / 1e9);
	if (only == NULL || strcmp(only, "syn") == 0)
		report("syn", n < 57344 ? n : 57344, "conn", bench_syn);	/* distinct ports */
	conn_table_reset(w->conn);	/* the SYN scenario's half-open records */
	if (only == NULL || strcmp(only, "http") == 0)
		report("http", n / 4, "conn", bench_http);
	if (only == NULL || strcmp(only, "deep") == 0)	/* distinct ports, no TIME_WAIT reuse */
		report("deep", RTE_MIN(n / 4, 38912u) & ~(DEEP - 1u), "conn", bench_deep);
	if (only == NULL || strcmp(only, "http6") == 0)
		report("http6", n / 4, "conn", bench_http6);
	if (only == NULL || strcmp(only, "data") == 0)
		report("data", n, "seg", bench_data);
	if (only == NULL || strcmp(only, "ack") == 0)
		report("ack", n, "ack", bench_ack);
	if (only == NULL || strcmp(only, "keep") == 0)
		report("keep", n, "req", bench_keep);
	printf("records in use %llu, TIME_WAIT entries %llu\n",
	       (unsigned long long)w->st.conn_active, (unsigned long long)w->st.tw_entries);
	worker_destroy(w);
	port_teardown((uint16_t)p);
	rte_eal_cleanup();
	return 0;
}
