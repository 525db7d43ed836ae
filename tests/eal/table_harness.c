/* table_harness.c - the EAL tests' synchronous connection table: its set-up, frames in, frames out. */
#include "table_harness.h"

#include <arpa/inet.h>
#include <string.h>

#include <rte_lcore.h>

#include "trace.h"

struct table_harness T;


static void
cap_tx(void *arg, uint16_t port, struct rte_mbuf *m)
{
	uint16_t drop;

	(void)arg;
	CU_ASSERT_EQUAL(port, 0);
	CU_ASSERT_FATAL(T.nout < CAP);
	CU_ASSERT_EQUAL(pkt_parse(&T.peer, m, &T.opi[T.nout], &drop), PKT_TCP);
	T.out[T.nout++] = m;
}

void
t_clear(void)
{
	for (unsigned int i = 0; i < T.nout; i++)
		rte_pktmbuf_free(T.out[i]);
	T.nout = 0;
}

/* A fresh table from tcpe options (after the defaults every test shares). */
void
t_table(const char *extra[])
{
	char *args[48] = { "test", "--ip", "198.18.0.1/24", "--listen", "42181:hello", "--listen",
			   "7:echo", "--listen", "9:discard", "--max-conns", "16", "--time-wait-max",
			   "16", "--mbufs", "4096", "--trace", "4" };
	unsigned int n = 17;
	struct conn_env env = { .index = 0, .lcore = rte_lcore_id(), .socket = (int)rte_socket_id(),
				.st = &T.st, .tx = &T.tx, .nports = 1,
				.hooks = { .tx = cap_tx } };

	for (unsigned int i = 0; extra != NULL && extra[i] != NULL; i++)
		args[n++] = (char *)extra[i];
	args[n] = NULL;
	CU_ASSERT_EQUAL_FATAL(config_parse(&T.cfg, (int)n, args, stderr), 0);
	memset(&T.st, 0, sizeof(T.st));
	T.now = 10 * S;
	env.mp = T.mp;
	env.trace_ring = T.trace;
	env.now_us = T.now;
	T.tab = conn_table_create(&T.cfg, &env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(T.tab);
	T.nout = 0;
}

/* The table gone, the trace drained: every mbuf is back in the pool. */
void
t_done(void)
{
	struct trace_rec r;

	t_clear();
	conn_table_destroy(T.tab);
	T.tab = NULL;
	while (rte_ring_sc_dequeue_elem(T.trace, &r, sizeof(r)) == 0)
		;
	CU_ASSERT_EQUAL(rte_mempool_avail_count(T.mp), NB_MBUF);
}

/* A frame from the peer's @p sport to our @p dport, through the table's real input path. */
void
t_in(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
     const void *data, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(T.mp);
	struct tcp_tuple tp = { .raddr = T.us.ip, .laddr = T.peer.ip, .rport = htons(dport),
				.lport = htons(sport) };
	struct tcp_out o = { .seq = seq, .ack = ack, .len = len, .wnd = 65535, .flags = flags };
	struct pkt_info pi, *pip = &pi;
	uint16_t drop;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	if (flags & TCP_SYN) {
		struct tcp_opts opts = { .present = TCP_HAVE_MSS, .mss = 1460 };

		o.optlen = (uint8_t)tcp_opts_build(o.opt, &opts);
	}
	if (len > 0)
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	CU_ASSERT_EQUAL_FATAL(build_tcp(m, &T.peer_tx, &T.us.mac, &tp, &o), 0);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&T.us, m, &pi, &drop), PKT_TCP);
	conn_set_now(T.tab, T.now);
	memset(&T.rx, 0, sizeof(T.rx));
	conn_input_burst(T.tab, 0, &m, &pip, 1, &T.rx);
}

/* Move time to @p now and run the table's timers. */
void
t_advance(uint64_t now)
{
	T.now = now;
	conn_set_now(T.tab, now);
	conn_timers(T.tab);
}

/* What the flow table holds for the peer's @p sport -> our @p dport. */
void *
t_ref(uint16_t sport, uint16_t dport)
{
	struct tcp_tuple key = { .raddr = T.peer.ip, .laddr = T.us.ip, .rport = htons(sport),
				 .lport = htons(dport) };

	return flow_lookup(T.tab->flows, &key);
}

int
t_harness_init(void)
{
	memset(&T, 0, sizeof(T));
	T.mp = rte_pktmbuf_pool_create("table_mp", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	T.trace = rte_ring_create_elem("table_trace", sizeof(struct trace_rec), 1024,
				       (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (T.mp == NULL || T.trace == NULL)
		return -1;
	T.us.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	T.peer.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 2 } };
	inet_pton(AF_INET, "198.18.0.1", &T.us.ip);
	inet_pton(AF_INET, "198.18.0.2", &T.peer.ip);
	T.us.mask = T.peer.mask = htonl(0xffffff00u);
	T.tx.mac = T.us.mac;
	T.peer_tx.mac = T.peer.mac;
	return 0;
}

int
t_harness_fini(void)
{
	rte_ring_free(T.trace);
	rte_mempool_free(T.mp);
	return 0;
}

