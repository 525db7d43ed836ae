/* test_table.c - the connection table itself, driven synchronously with time as a variable: real frames in through its input path, every frame out captured and parsed, mbufs counted. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "client.h"
#include "flow.h"
#include "isn.h"
#include "suites.h"
#include "table_harness.h"
#include "trace.h"

/* The seed's exchange through the real table: the record becomes a 40-byte TIME_WAIT entry in
 * the flow table, answers a retransmitted FIN from there, and leaves after 2*MSL. */
static void
hello_ends_in_a_compact_time_wait_entry(void)
{
	const char *opts[] = { "--time-wait-ms", "1000", NULL };
	uint32_t c = 0x7ffffff0u, iss;

	t_table(opts);
	t_in(41000, 42181, TCP_SYN, c, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_SYN | TCP_ACK, T.opi[0].seg.seq, c + 1, 0);
	iss = T.opi[0].seg.seq;
	CU_ASSERT_EQUAL(T.st.conn_active, 1);
	t_clear();
	t_in(41000, 42181, TCP_ACK, c + 1, iss + 1, NULL, 0);
	CU_ASSERT(T.rx.events & TCP_EV_ESTABLISHED);
	CU_ASSERT_EQUAL_FATAL(T.nout, 2);
	OUT(0, TCP_ACK | TCP_PSH, iss + 1, c + 1, 12);
	CU_ASSERT_EQUAL(memcmp(T.opi[0].payload, "hello client", 12), 0);
	OUT(1, TCP_FIN | TCP_ACK, iss + 13, c + 1, 0);
	t_clear();
	t_in(41000, 42181, TCP_ACK, c + 1, iss + 14, NULL, 0);	/* FIN_WAIT_2 */
	CU_ASSERT_EQUAL(T.nout, 0);
	t_in(41000, 42181, TCP_FIN | TCP_ACK, c + 1, iss + 14, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_ACK, iss + 14, c + 2, 0);
	t_clear();
	CU_ASSERT_EQUAL(T.st.conn_active, 0);			/* the record is free at once */
	CU_ASSERT_EQUAL(T.st.tw_entries, 1);
	CU_ASSERT_EQUAL(T.st.state_now[TCP_TIME_WAIT], 1);
	CU_ASSERT(conn_ref_is_tw(t_ref(41000, 42181)));
	/* the peer did not hear our ACK: its FIN again is answered from the entry */
	t_in(41000, 42181, TCP_FIN | TCP_ACK, c + 1, iss + 14, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_ACK, iss + 14, c + 2, 0);
	t_clear();
	t_advance(T.now + 2 * S);
	CU_ASSERT_EQUAL(T.st.tw_entries, 0);
	CU_ASSERT_PTR_NULL(t_ref(41000, 42181));
	CU_ASSERT_EQUAL(T.st.state_now[TCP_TIME_WAIT], 0);
	t_done();
}

/* A hello connection from the peer's @p sport, up to the greeting and our FIN, which the peer
 * does not acknowledge: an orphan (its application has closed). @return our ISS. */
static uint32_t
t_hello_orphan(uint16_t sport, uint32_t c)
{
	uint32_t iss;

	t_in(sport, 42181, TCP_SYN, c, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	iss = T.opi[0].seg.seq;
	t_clear();
	t_in(sport, 42181, TCP_ACK, c + 1, iss + 1, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 2);
	OUT(1, TCP_FIN | TCP_ACK, iss + 13, c + 1, 0);
	t_clear();
	return iss;
}

/* Out of records, a new connection takes the oldest orphan's; a record that was an orphan,
 * left, and is an orphan again in a new connection is judged by its new age, not its old. */
static void
orphans_give_way_oldest_first(void)
{
	const char *opts[] = { "--max-orphans", "64", NULL };	/* records run out first */
	uint32_t c = 1000, iss0;

	t_table(opts);				/* 16 records */
	iss0 = t_hello_orphan(41000, c);
	for (uint16_t p = 41001; p <= 41015; p++)
		(void)t_hello_orphan(p, c);
	CU_ASSERT_EQUAL(T.st.orphans, 16);
	CU_ASSERT_EQUAL(T.tab->orphq.n, 16);	/* the list is full: it holds the records */
	/* the first ends well: its record is free and taken by the next connection at once */
	t_in(41000, 42181, TCP_ACK, c + 1, iss0 + 14, NULL, 0);
	t_in(41000, 42181, TCP_FIN | TCP_ACK, c + 1, iss0 + 14, NULL, 0);
	t_clear();
	CU_ASSERT_EQUAL(T.st.orphans, 15);
	CU_ASSERT_EQUAL(T.st.conn_active, 15);
	(void)t_hello_orphan(41020, c);
	CU_ASSERT_EQUAL(T.st.orphans, 16);
	CU_ASSERT_EQUAL(T.st.orphans_unlisted, 0);	/* the first's entry was swept out */
	/* no record left: the oldest orphan (41001), not the newest in an old record, gives way */
	t_in(41030, 42181, TCP_SYN, c, 0, NULL, 0);
	CU_ASSERT_EQUAL(T.st.orphans_reset, 1);
	CU_ASSERT_PTR_NULL(t_ref(41001, 42181));
	CU_ASSERT_PTR_NOT_NULL(t_ref(41002, 42181));
	CU_ASSERT_PTR_NOT_NULL(t_ref(41020, 42181));
	CU_ASSERT_PTR_NOT_NULL(t_ref(41030, 42181));
	CU_ASSERT_EQUAL_FATAL(T.nout, 2);
	CU_ASSERT_EQUAL(T.opi[0].seg.flags & TCP_RST, TCP_RST);	/* to 41001 */
	CU_ASSERT_EQUAL(T.opi[1].seg.flags, TCP_SYN | TCP_ACK);
	t_clear();
	t_done();
}

/* No listener: RST; a RST to a listener: nothing; an ACK to a listener: <SEQ=SEG.ACK><RST>. */
static void
segments_without_a_record_follow_rfc_9293_3_10_7(void)
{
	struct tcp_tuple key = { .rport = htons(41001), .lport = htons(42181) };
	uint32_t ack = 123456;

	t_table(NULL);
	/* An ACK of no handshake of ours. A number the keyed check takes for one of this tuple's
	 * ISNs of the last 2*MSL (1 in ~290 under a random secret) would be dropped as a stale
	 * handshake ACK instead (stale_handshake_ack_after_a_passive_close_is_dropped): not one. */
	key.raddr = T.peer.ip;
	key.laddr = T.us.ip;
	while (tcp_isn_recent(T.tab->tcp_cfg.isn_key, &key, sizeof(key), ack - 1, T.now,
			      T.tab->tcp_cfg.time_wait_us))
		ack += 1u << 24;
	t_in(41001, 9999, TCP_SYN, 500, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_RST | TCP_ACK, 0, 501, 0);
	t_clear();
	t_in(41001, 42181, TCP_RST, 500, 0, NULL, 0);
	CU_ASSERT_EQUAL(T.nout, 0);
	CU_ASSERT_EQUAL(T.st.drop[TCPE_DROP_TCP_RST_NO_CONN], 1);
	t_in(41001, 42181, TCP_ACK, 500, ack, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_RST, ack, 0, 0);
	CU_ASSERT_EQUAL(T.st.conn_active, 0);
	t_done();
}

/* The ACK that completed a handshake, arriving again after a passive close released the record
 * (software steering can deliver it behind the data that followed): dropped as an old duplicate
 * within 2*MSL of the ISN, not answered with a RST; data, or the same ACK later, still is. */
static void
stale_handshake_ack_after_a_passive_close_is_dropped(void)
{
	const char *opts[] = { "--time-wait-ms", "1000", NULL };
	uint32_t iss;

	t_table(opts);
	t_in(41030, 7, TCP_SYN, 100, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	iss = T.opi[0].seg.seq;
	t_clear();
	t_in(41030, 7, TCP_FIN | TCP_ACK, 101, iss + 1, NULL, 0);	/* data-less, then closed */
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_FIN | TCP_ACK, iss + 1, 102, 0);		/* echo closes too: LAST_ACK */
	t_clear();
	t_in(41030, 7, TCP_ACK, 102, iss + 2, NULL, 0);
	CU_ASSERT_EQUAL(T.nout, 0);
	CU_ASSERT_EQUAL_FATAL(T.st.conn_active, 0);		/* released, no TIME_WAIT */
	CU_ASSERT_PTR_NULL(t_ref(41030, 7));
	t_in(41030, 7, TCP_ACK, 101, iss + 1, NULL, 0);		/* the handshake's ACK, late */
	CU_ASSERT_EQUAL(T.nout, 0);
	CU_ASSERT_EQUAL(T.st.drop[TCPE_DROP_TCP_STALE_ACK], 1);
	CU_ASSERT_EQUAL(T.st.rst_no_conn, 0);
	t_in(41030, 7, TCP_ACK | TCP_PSH, 101, iss + 1, "late", 4);	/* data: a RST */
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_RST, iss + 1, 0, 0);
	t_clear();
	t_in(41031, 7, TCP_ACK, 101, iss + 1, NULL, 0);		/* another tuple: a RST */
	CU_ASSERT_EQUAL(T.nout, 1);
	t_clear();
	t_advance(T.now + 1100000);				/* past 2*MSL of the ISN */
	t_clear();
	t_in(41030, 7, TCP_ACK, 101, iss + 1, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_RST, iss + 1, 0, 0);
	CU_ASSERT_EQUAL(T.st.drop[TCPE_DROP_TCP_STALE_ACK], 1);
	CU_ASSERT_EQUAL(T.st.rst_no_conn, 3);
	t_done();
}

/* A connection's send budget follows its congestion window (6 x cwnd, Linux's autotuning in
 * payload bytes) from --sndbuf up to --sndbuf-max; bulk keeps what the budget allows queued. */
static void
send_budget_grows_with_the_window(void)
{
	const char *opts[] = { "--listen", "5:bulk", "--bulk-bytes", "64M", "--sndbuf-max", "2M",
			       NULL };
	struct tcpe_sock *s;
	struct conn *c;
	uint32_t iss;

	t_table(opts);
	t_in(41040, 5, TCP_SYN, 100, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	iss = T.opi[0].seg.seq;
	t_clear();
	t_in(41040, 5, TCP_ACK, 101, iss + 1, NULL, 0);
	c = t_ref(41040, 5);
	CU_ASSERT_FATAL(c != NULL && !conn_ref_is_tw(c));
	s = (struct tcpe_sock *)c;
	CU_ASSERT_EQUAL(T.nout, 10);			/* the initial window */
	CU_ASSERT_EQUAL(tcpe_send_budget(s), 256u << 10);	/* --sndbuf: cwnd is small */
	CU_ASSERT_EQUAL(conn_sndq_bytes(c), 256u << 10);		/* bulk filled it */
	c->tcb.cwnd = 100000;
	CU_ASSERT_EQUAL(tcpe_send_budget(s), 600000);
	c->tcb.cwnd = 1000000;
	CU_ASSERT_EQUAL(tcpe_send_budget(s), 2u << 20);	/* --sndbuf-max */
	t_clear();
	t_in(41040, 5, TCP_ACK, 101, iss + 1 + 10 * 1460, NULL, 0);
	CU_ASSERT_EQUAL(conn_sndq_bytes(c), 2u << 20);		/* topped up to the new budget */
	CU_ASSERT(T.nout > 10);
	c->tcb.cwnd = 10000;					/* a window cut: back to --sndbuf */
	CU_ASSERT_EQUAL(tcpe_send_budget(s), 256u << 10);
	CU_ASSERT_EQUAL(tcpe_send_space(s), 0);		/* over it: nothing more taken */
	t_done();
}

/* Past --syn-backlog a SYN gets a cookie and no record; the ACK that returns it opens one. */
static void
cookie_handshake_opens_a_record_only_at_the_ack(void)
{
	const char *opts[] = { "--syn-backlog", "1", NULL };
	uint32_t cookie;

	t_table(opts);
	t_in(41002, 7, TCP_SYN, 1000, 0, NULL, 0);		/* takes the backlog's one record */
	t_in(41003, 7, TCP_SYN, 2000, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 2);
	CU_ASSERT_EQUAL(T.st.syncookies_sent, 1);
	CU_ASSERT_EQUAL(T.st.conn_active, 1);
	cookie = T.opi[1].seg.seq;
	t_clear();
	t_in(41003, 7, TCP_ACK | TCP_PSH, 2001, cookie + 1, "ping", 4);
	CU_ASSERT_EQUAL(T.st.syncookies_ok, 1);
	CU_ASSERT_EQUAL(T.st.conn_active, 2);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);			/* echo answers in the same segment */
	OUT(0, TCP_ACK | TCP_PSH, cookie + 1, 2005, 4);
	CU_ASSERT_EQUAL(memcmp(T.opi[0].payload, "ping", 4), 0);
	t_done();
}

/* Segments beyond a hole are held in their own mbufs and delivered when it fills: echo sends
 * the bytes back in order. */
static void
out_of_order_data_is_held_then_echoed_in_order(void)
{
	uint32_t iss;

	t_table(NULL);
	t_in(41004, 7, TCP_SYN, 100, 0, NULL, 0);
	iss = T.opi[0].seg.seq;
	t_clear();
	t_in(41004, 7, TCP_ACK, 101, iss + 1, NULL, 0);
	t_in(41004, 7, TCP_ACK, 111, iss + 1, "bbbbbbbbbb", 10);
	t_in(41004, 7, TCP_ACK, 121, iss + 1, "cccccccccc", 10);
	CU_ASSERT_EQUAL(T.st.ooo_held, 2);
	CU_ASSERT_EQUAL(T.nout, 2);				/* an immediate ACK for each */
	OUT(1, TCP_ACK, iss + 1, 101, 0);
	t_clear();
	t_in(41004, 7, TCP_ACK, 101, iss + 1, "aaaaaaaaaa", 10);
	CU_ASSERT_EQUAL(T.st.ooo_held, 0);
	CU_ASSERT_EQUAL(T.st.ooo_delivered, 2);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_ACK | TCP_PSH, iss + 1, 131, 30);
	CU_ASSERT_EQUAL(memcmp(T.opi[0].payload, "aaaaaaaaaabbbbbbbbbbcccccccccc", 30), 0);
	t_done();
}

/* A retransmission decided while the ACK that triggers it is processed is built after the
 * acknowledged bytes left the send queue: it carries the right bytes. */
static void
fast_retransmit_carries_the_bytes_at_its_sequence(void)
{
	static uint8_t up[4 * 1000];
	uint32_t iss;

	for (unsigned int i = 0; i < sizeof(up); i++)
		up[i] = (uint8_t)('A' + i / 1000);
	t_table(NULL);
	t_in(41005, 7, TCP_SYN, 5000, 0, NULL, 0);
	iss = T.opi[0].seg.seq;
	t_clear();
	t_in(41005, 7, TCP_ACK, 5001, iss + 1, NULL, 0);
	for (unsigned int i = 0; i < 4; i++)	/* echo queues 4000 bytes: four segments back */
		t_in(41005, 7, TCP_ACK, 5001 + i * 1000, iss + 1, up + i * 1000, 1000);
	CU_ASSERT_EQUAL(T.st.data_tx_bytes, 4000);
	t_clear();
	/* the first is acknowledged, the second lost: three duplicate ACKs */
	t_in(41005, 7, TCP_ACK, 9001, iss + 1001, NULL, 0);
	for (unsigned int i = 0; i < 3; i++)
		t_in(41005, 7, TCP_ACK, 9001, iss + 1001, NULL, 0);
	CU_ASSERT_EQUAL(T.st.fast_retransmits, 1);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	/* a full segment from the hole on: the lost bytes and what followed them */
	OUT(0, TCP_ACK, iss + 1001, 9001, 1460);
	CU_ASSERT_EQUAL(T.opi[0].payload[0], 'B');
	CU_ASSERT_EQUAL(T.opi[0].payload[999], 'B');
	CU_ASSERT_EQUAL(T.opi[0].payload[1000], 'C');
	CU_ASSERT_EQUAL(T.opi[0].payload[1459], 'C');
	CU_ASSERT_EQUAL(T.st.drop[TCPE_DROP_TX_OUTSIDE_SNDQ], 0);
	t_done();
}

/* Data segments among the captured frames. */
static unsigned int
t_data_out(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < T.nout; i++)
		n += T.opi[i].seg.len > 0;
	return n;
}

/* An open connection to the http app from the peer's @p sport; its first sequence number is 101,
 * ours iss + 1 (returned). */
static uint32_t
t_http_open(uint16_t sport)
{
	uint32_t iss;

	t_in(sport, 80, TCP_SYN, 100, 0, NULL, 0);
	iss = T.opi[0].seg.seq;
	t_in(sport, 80, TCP_ACK, 101, iss + 1, NULL, 0);
	t_clear();
	return iss;
}

/*
 * Time slices (--app-slice-us): with 20 us of work per response and a 1 us slice, three pipelined
 * requests in one segment are answered one per worker iteration (the http app yields between
 * responses), in order; without slices, all at once. Once an iteration has run long, the slice
 * counts the application's time (not the worker's: it may have been preempted), and input that
 * arrives after the application used it is held for the next iteration without calling it.
 * While input waits, conn_app_pending() says so (no --rx-coalesce-us hold then).
 */
static void
slow_application_is_run_one_slice_at_a_time(void)
{
	static const char req3[] = "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
				   "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n"
				   "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n";
	enum { REQ1 = (sizeof(req3) - 1) / 3 };	/* one of the three */
	const char *sliced[] = { "--listen", "80:http", "--http-work-ns", "20000",
				 "--app-slice-us", "1", NULL };
	const char *unsliced[] = { "--listen", "80:http", "--http-work-ns", "20000",
				   "--app-slice-us", "0", NULL };
	uint32_t iss;

	t_table(sliced);
	iss = t_http_open(41010);
	conn_set_slice(T.tab, rte_rdtsc());
	t_in(41010, 80, TCP_ACK | TCP_PSH, 101, iss + 1, req3, sizeof(req3) - 1);
	CU_ASSERT_EQUAL(T.st.http_resp_2xx, 1);	/* the first, then the app yielded */
	CU_ASSERT_EQUAL(T.st.app_deferred, 1);
	CU_ASSERT_EQUAL(t_data_out(), 1);
	CU_ASSERT_EQUAL(T.st.rcv_held, 1);	/* the rest waits in its mbuf */
	CU_ASSERT_TRUE(conn_app_pending(T.tab));	/* the worker comes back without a hold */
	for (unsigned int k = 2; k <= 3; k++) {
		conn_set_slice(T.tab, rte_rdtsc());
		CU_ASSERT_TRUE(conn_app_slice(T.tab));
		CU_ASSERT_EQUAL(T.st.http_resp_2xx, k);
	}
	CU_ASSERT_FALSE(conn_app_pending(T.tab));
	conn_set_slice(T.tab, rte_rdtsc());
	CU_ASSERT_FALSE(conn_app_slice(T.tab));	/* nothing left */
	CU_ASSERT_EQUAL(T.st.app_deferred, 2);	/* after the first and the second */
	CU_ASSERT_EQUAL(T.st.rcv_held, 0);
	CU_ASSERT_EQUAL(t_data_out(), 3);
	/* in order: each response follows the one before it in sequence space */
	for (unsigned int i = 1; i < T.nout; i++)
		CU_ASSERT(T.opi[i].seg.seq == T.opi[i - 1].seg.seq + T.opi[i - 1].seg.len);
	t_clear();
	/* After a long iteration the slice is armed: it counts the time the application takes, not
	 * the wall time - an iteration whose worker was not running (a preempted vCPU) still
	 * delivers... */
	conn_slice_done(T.tab, T.tab->slice_cycles);
	conn_set_slice(T.tab, rte_rdtsc() - 2 * T.tab->slice_cycles);	/* wall time: over */
	t_in(41010, 80, TCP_ACK | TCP_PSH, 101 + sizeof(req3) - 1, iss + 1, req3, REQ1);
	CU_ASSERT_EQUAL(T.st.http_resp_2xx, 4);
	CU_ASSERT_EQUAL(T.st.app_deferred, 2);
	CU_ASSERT_EQUAL(t_data_out(), 1);
	CU_ASSERT(T.tab->slice_used >= T.tab->slice_cycles);	/* its 20 us of work, > 1 us */
	/* ...and once the application used the slice, the next input is held before it is
	 * called at all, until a later iteration */
	t_in(41010, 80, TCP_ACK | TCP_PSH, 101 + sizeof(req3) - 1 + REQ1, iss + 1, req3, REQ1);
	CU_ASSERT_EQUAL(T.st.http_resp_2xx, 4);
	CU_ASSERT_EQUAL(T.st.app_deferred, 3);
	CU_ASSERT_EQUAL(t_data_out(), 1);
	conn_set_slice(T.tab, rte_rdtsc());
	CU_ASSERT_TRUE(conn_app_slice(T.tab));
	CU_ASSERT_EQUAL(T.st.http_resp_2xx, 5);
	CU_ASSERT_EQUAL(t_data_out(), 2);
	t_done();

	t_table(unsliced);
	iss = t_http_open(41011);
	conn_set_slice(T.tab, rte_rdtsc());
	t_in(41011, 80, TCP_ACK | TCP_PSH, 101, iss + 1, req3, sizeof(req3) - 1);
	CU_ASSERT_EQUAL(T.st.http_resp_2xx, 3);
	CU_ASSERT_EQUAL(T.st.app_deferred, 0);
	CU_ASSERT_FALSE(conn_app_slice(T.tab));
	t_done();
}

/* Peer MAC @p last_byte: the frames the test sends come from it, and those tcpe sends must be
 * addressed to it (cap_tx parses them as that peer). */
static void
t_peer_mac(uint8_t last_byte)
{
	T.peer.mac.addr_bytes[5] = last_byte;
	T.peer_tx.mac = T.peer.mac;
}

/*
 * A client that restarted (another MAC, a new ISN) reuses the tuple of its dead incarnation's
 * half-open record: the record answers the out-of-window SYN with an ACK sent where the SYN came
 * from - not to the old MAC, where nobody would answer and the new client would wait for the
 * record's timeouts - the new client's RST (its ACK number) ends the record, and its next SYN
 * opens afresh. A rejected segment does not move the record: its own retransmissions still go
 * to the MAC it was opened from.
 */
static void
a_restarted_peer_on_another_mac_is_answered(void)
{
	uint32_t iss;

	t_table(NULL);
	t_in(41020, 42181, TCP_SYN, 100, 0, NULL, 0);	/* from ...:02 */
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	iss = T.opi[0].seg.seq;
	t_clear();
	t_peer_mac(0x22);
	t_in(41020, 42181, TCP_SYN, 900000, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);	/* parsed as addressed to ...:22 */
	OUT(0, TCP_ACK, iss + 1, 101, 0);
	CU_ASSERT_EQUAL(T.st.peer_mac_moved, 0);
	t_clear();
	t_peer_mac(0x02);
	t_advance(T.now + 1100000);		/* the SYN-ACK again, to the record's own peer */
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_SYN | TCP_ACK, iss, 101, 0);
	t_clear();
	t_peer_mac(0x22);
	t_in(41020, 42181, TCP_RST, 101, 0, NULL, 0);	/* the new client's answer to that ACK */
	CU_ASSERT_EQUAL(T.st.conn_active, 0);
	CU_ASSERT_EQUAL(T.st.peer_mac_moved, 1);
	t_in(41020, 42181, TCP_SYN, 900000, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(T.nout, 1);
	OUT(0, TCP_SYN | TCP_ACK, T.opi[0].seg.seq, 900001, 0);
	CU_ASSERT_EQUAL(T.st.conn_active, 1);
	t_peer_mac(0x02);
	t_done();
}

/* With --trace, each segment in is written before the replies it caused (no reordering). */
static void
trace_reads_in_causal_order(void)
{
	struct trace_rec r[8];
	unsigned int n = 0;
	uint32_t iss;

	t_table(NULL);
	t_in(41006, 42181, TCP_SYN, 1, 0, NULL, 0);
	iss = T.opi[0].seg.seq;
	t_in(41006, 42181, TCP_ACK, 2, iss + 1, NULL, 0);
	while (n < RTE_DIM(r) && rte_ring_sc_dequeue_elem(T.trace, &r[n], sizeof(r[0])) == 0)
		n++;
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT(r[0].dir == TRACE_IN && r[0].flags == TCP_SYN && r[0].seq == 0);
	CU_ASSERT(r[1].dir == TRACE_OUT && r[1].flags == (TCP_SYN | TCP_ACK) && r[1].ack == 1);
	CU_ASSERT(r[2].dir == TRACE_IN && r[2].flags == TCP_ACK && r[2].ack == 1);
	CU_ASSERT(r[3].dir == TRACE_OUT && r[3].len == 12 && r[3].seq == 1);
	CU_ASSERT(r[4].dir == TRACE_OUT && (r[4].flags & TCP_FIN) && r[4].seq == 13);
	t_done();
}

/* Where state lands must not be guessable (issue 14, 8): each table hashes with its own random
 * seed (rte_hash CRC32 used to be seeded with 0), and client mode walks each source address's
 * ports from a random offset (RFC 6056 §3.3.3; they used to start at 10000). */
static void
state_placement_is_unpredictable(void)
{
	const char *client[] = { "--connect", "198.18.0.2:80", "--source-ips",
				 "198.18.0.10-198.18.0.17", NULL };
	struct client *k1, *k2;
	uint32_t seed1;
	unsigned int same = 0;

	t_table(client);
	seed1 = T.tab->flow_seed;
	k1 = client_create(&T.cfg, 0, 1, (int)rte_socket_id(), T.tab, NULL, &T.us);
	k2 = client_create(&T.cfg, 0, 1, (int)rte_socket_id(), T.tab, NULL, &T.us);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k2);
	CU_ASSERT_EQUAL(k1->nsrc, 8);
	for (uint32_t i = 0; i < k1->nsrc; i++) {
		CU_ASSERT(k1->port_off[i] < CLIENT_PORT_RANGE);
		same += k1->port_off[i] == k2->port_off[i];
	}
	CU_ASSERT(same < k1->nsrc);	/* 8 independent 16-bit draws all equal: ~2^-125 */
	t_done();
	client_destroy(k1);
	client_destroy(k2);
	t_table(NULL);
	CU_ASSERT_NOT_EQUAL(T.tab->flow_seed, seed1);	/* 2^-32 to be equal by chance */
	t_done();
}

int
suite_table(void)
{
	CU_pSuite s = CU_add_suite("connection table (real frames, time as a variable)", t_harness_init,
				   t_harness_fini);

	if (s == NULL ||
	    CU_add_test(s, "hello_ends_in_a_compact_time_wait_entry",
			hello_ends_in_a_compact_time_wait_entry) == NULL ||
	    CU_add_test(s, "orphans_give_way_oldest_first", orphans_give_way_oldest_first) == NULL ||
	    CU_add_test(s, "segments_without_a_record_follow_rfc_9293_3_10_7",
			segments_without_a_record_follow_rfc_9293_3_10_7) == NULL ||
	    CU_add_test(s, "cookie_handshake_opens_a_record_only_at_the_ack",
			cookie_handshake_opens_a_record_only_at_the_ack) == NULL ||
	    CU_add_test(s, "out_of_order_data_is_held_then_echoed_in_order",
			out_of_order_data_is_held_then_echoed_in_order) == NULL ||
	    CU_add_test(s, "fast_retransmit_carries_the_bytes_at_its_sequence",
			fast_retransmit_carries_the_bytes_at_its_sequence) == NULL ||
	    CU_add_test(s, "a_restarted_peer_on_another_mac_is_answered",
			a_restarted_peer_on_another_mac_is_answered) == NULL ||
	    CU_add_test(s, "slow_application_is_run_one_slice_at_a_time",
			slow_application_is_run_one_slice_at_a_time) == NULL ||
	    CU_add_test(s, "trace_reads_in_causal_order", trace_reads_in_causal_order) == NULL ||
	    CU_add_test(s, "send_budget_grows_with_the_window",
			send_budget_grows_with_the_window) == NULL ||
	    CU_add_test(s, "stale_handshake_ack_after_a_passive_close_is_dropped",
			stale_handshake_ack_after_a_passive_close_is_dropped) == NULL ||
	    CU_add_test(s, "state_placement_is_unpredictable", state_placement_is_unpredictable) == NULL)
		return -1;
	return 0;
}
