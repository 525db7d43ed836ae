/* test_client.c - client mode on the synchronous connection table: how it picks and opens its source pairs. */
#include <arpa/inet.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_lcore.h>

#include "client.h"
#include "flow.h"
#include "suites.h"
#include "table_harness.h"

/* A client on a fresh table (16 records) that has opened as fast as it may: every record is
 * SYN_SENT on a pair of its own, and CLIENT_AHEAD more pairs are picked ahead, free and apart
 * from those. Their pairs and ISSs in @p open and @p iss. */
static struct client *
t_client_full(struct tcp_tuple open[16], uint32_t iss[16])
{
	const char *client[] = { "--connect", "198.18.0.2:80", NULL };
	struct client *k;

	t_table(client);
	k = client_create(&T.cfg, 0, 1, (int)rte_socket_id(), T.tab, NULL, &T.us);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	client_set_mac(k, &T.peer.mac, T.now);
	client_tick(k, T.now, false, false);	/* as fast as possible: until the 16 records are taken */
	t_clear();
	CU_ASSERT_EQUAL_FATAL(k->live, 16);
	CU_ASSERT_EQUAL_FATAL(T.tab->nconns, 16);
	CU_ASSERT_EQUAL_FATAL(k->ahead_n, CLIENT_AHEAD);
	for (unsigned int i = 0; i < 16; i++) {
		open[i] = T.tab->conns[i].tcb.tuple;
		iss[i] = T.tab->conns[i].tcb.iss;
		CU_ASSERT_EQUAL(T.tab->conns[i].tcb.state, TCP_SYN_SENT);
		CU_ASSERT_PTR_EQUAL(flow_lookup(T.tab->flows, &open[i]), &T.tab->conns[i]);
		for (unsigned int j = 0; j < i; j++)
			CU_ASSERT(open[j].lport != open[i].lport);
	}
	for (unsigned int a = 0; a < CLIENT_AHEAD; a++) {
		const struct tcp_tuple *x = &k->ahead[(k->ahead_head + a) % CLIENT_AHEAD];

		CU_ASSERT_EQUAL(x->laddr, T.us.ip);
		CU_ASSERT_EQUAL(x->raddr, T.peer.ip);
		CU_ASSERT_EQUAL(x->rport, htons(80));
		CU_ASSERT_PTR_NULL(flow_lookup(T.tab->flows, x));
		for (unsigned int i = 0; i < 16; i++)
			CU_ASSERT(open[i].lport != x->lport);
		for (unsigned int b = 0; b < a; b++)
			CU_ASSERT(k->ahead[(k->ahead_head + b) % CLIENT_AHEAD].lport != x->lport);
	}
	return k;
}

/* The server refuses the connections of @p open[from..to) (RST to each SYN); then time passes
 * the pause a refusal costs the client. */
static void
t_refuse(const struct tcp_tuple open[16], const uint32_t iss[16], unsigned int from,
	 unsigned int to)
{
	for (unsigned int i = from; i < to; i++) {
		t_in(80, ntohs(open[i].lport), TCP_RST | TCP_ACK, 0, iss[i] + 1, NULL, 0);
		CU_ASSERT_PTR_NULL(flow_lookup(T.tab->flows, &open[i]));
	}
	t_advance(T.now + 2 * CLIENT_ERROR_PAUSE_US);
}

/*
 * Client mode picks each open's source pair CLIENT_AHEAD opens early, so that its flow buckets
 * are loading meanwhile: while records are short, the failing opens pick nothing more; when
 * records come back, the pairs picked ahead are the next ones opened, in order.
 */
static void
client_opens_the_pairs_it_picked_ahead_in_order(void)
{
	struct tcp_tuple open[16], ahead[CLIENT_AHEAD];
	uint32_t iss[16];
	struct client *k = t_client_full(open, iss);
	uint64_t fails = T.st.client_no_record;
	uint16_t cursor = k->cursor;

	for (unsigned int a = 0; a < CLIENT_AHEAD; a++)
		ahead[a] = k->ahead[(k->ahead_head + a) % CLIENT_AHEAD];
	for (unsigned int i = 0; i < 100; i++)
		CU_ASSERT(!client_tick(k, T.now, false, false));
	CU_ASSERT_EQUAL(T.st.client_no_record - fails, 100);
	CU_ASSERT_EQUAL(k->cursor, cursor);
	CU_ASSERT_EQUAL(k->ahead_n, CLIENT_AHEAD);
	CU_ASSERT_EQUAL(T.nout, 0);

	t_refuse(open, iss, 0, 4);
	CU_ASSERT_EQUAL(k->live, 12);
	CU_ASSERT(client_tick(k, T.now, false, false));
	CU_ASSERT_EQUAL(k->live, 16);
	CU_ASSERT_EQUAL_FATAL(T.nout, 4);
	for (unsigned int a = 0; a < CLIENT_AHEAD; a++) {
		CU_ASSERT_PTR_NOT_NULL(flow_lookup(T.tab->flows, &ahead[a]));
		CU_ASSERT_EQUAL(T.opi[a].seg.flags, TCP_SYN);
		CU_ASSERT_EQUAL(T.opi[a].key.rport, ahead[a].lport);	/* the peer's view */
	}
	for (unsigned int a = 0; a < k->ahead_n; a++)
		CU_ASSERT_PTR_NULL(flow_lookup(T.tab->flows,
					       &k->ahead[(k->ahead_head + a) % CLIENT_AHEAD]));
	t_done();
	client_destroy(k);
}

/*
 * A port space so crowded that the walk comes round to the pairs picked ahead (every pair
 * marked maybe-held, the cursor put back onto them; one address: a step a pair): they are free
 * in the flow table, yet skipped, never picked twice.
 */
static void
client_never_picks_a_pair_twice(void)
{
	struct tcp_tuple open[16];
	uint32_t iss[16];
	struct client *k = t_client_full(open, iss);

	memset(k->port_used, 0xff, 8192);
	k->cursor = (uint16_t)(k->cursor - CLIENT_AHEAD);
	t_refuse(open, iss, 0, 1);
	CU_ASSERT_EQUAL(k->live, 15);
	CU_ASSERT(client_tick(k, T.now, false, false));
	CU_ASSERT_EQUAL(k->live, 16);
	CU_ASSERT_EQUAL_FATAL(k->ahead_n, CLIENT_AHEAD);
	for (unsigned int a = 0; a < CLIENT_AHEAD; a++) {
		const struct tcp_tuple *x = &k->ahead[(k->ahead_head + a) % CLIENT_AHEAD];

		CU_ASSERT_PTR_NULL(flow_lookup(T.tab->flows, x));
		for (unsigned int b = 0; b < a; b++)
			CU_ASSERT(k->ahead[(k->ahead_head + b) % CLIENT_AHEAD].lport != x->lport);
	}
	t_done();
	client_destroy(k);
}

/*
 * A --rate schedule that is behind (a millisecond of opens due at 1 M/s) opens CLIENT_OPEN_BURST
 * in an iteration whose receive burst was not full and only CLIENT_OPEN_BURST_BEHIND, counted,
 * in one whose burst was: a client past its own capacity receives before it opens more. What
 * it did not open stays due; a port refusing frames still opens nothing. A tick that opened as
 * many as it may says so (client_capped(): the worker then polls again without a hold).
 */
static void
client_on_a_schedule_receives_before_it_opens(void)
{
	const char *client[] = { "--connect", "198.18.0.2:80", "--rate", "1000000",
				 "--max-conns", "256", NULL };
	uint64_t later = T.now + 1000;
	struct client *k;

	t_table(client);
	k = client_create(&T.cfg, 0, 1, (int)rte_socket_id(), T.tab, NULL, &T.us);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	client_set_mac(k, &T.peer.mac, T.now);
	CU_ASSERT(!client_capped(k));
	CU_ASSERT(client_tick(k, later, false, true));
	CU_ASSERT_EQUAL(k->live, CLIENT_OPEN_BURST_BEHIND);
	CU_ASSERT_EQUAL(T.st.client_open_rx_behind, 1);
	CU_ASSERT(client_capped(k));	/* more are due: no --rx-coalesce-us hold */
	CU_ASSERT(client_tick(k, later, false, false));
	CU_ASSERT_EQUAL(k->live, CLIENT_OPEN_BURST_BEHIND + CLIENT_OPEN_BURST);
	CU_ASSERT_EQUAL(T.st.client_open_rx_behind, 1);
	CU_ASSERT(client_capped(k));
	CU_ASSERT(!client_tick(k, later, true, true));
	CU_ASSERT(!client_capped(k));	/* the port is backed up: waiting is what it should do */
	CU_ASSERT(!client_tick(k, later, true, false));
	CU_ASSERT_EQUAL(k->live, CLIENT_OPEN_BURST_BEHIND + CLIENT_OPEN_BURST);
	CU_ASSERT_EQUAL(T.st.client_open_deferred, 2);
	CU_ASSERT(client_tick(k, later, false, true));
	CU_ASSERT_EQUAL(k->live, 2 * CLIENT_OPEN_BURST_BEHIND + CLIENT_OPEN_BURST);
	CU_ASSERT_EQUAL(T.st.client_open_rx_behind, 2);
	CU_ASSERT_EQUAL(T.nout, 2 * CLIENT_OPEN_BURST_BEHIND + CLIENT_OPEN_BURST);	/* SYNs */
	CU_ASSERT(!client_tick(k, T.now, false, false));	/* nothing due yet at the start */
	CU_ASSERT(!client_capped(k));
	t_done();
	client_destroy(k);
}

int
suite_client(void)
{
	CU_pSuite s = CU_add_suite("client mode on the connection table", t_harness_init,
				   t_harness_fini);

	if (s == NULL ||
	    CU_add_test(s, "client_opens_the_pairs_it_picked_ahead_in_order",
			client_opens_the_pairs_it_picked_ahead_in_order) == NULL ||
	    CU_add_test(s, "client_never_picks_a_pair_twice", client_never_picks_a_pair_twice) == NULL ||
	    CU_add_test(s, "client_on_a_schedule_receives_before_it_opens",
			client_on_a_schedule_receives_before_it_opens) == NULL)
		return -1;
	return 0;
}
