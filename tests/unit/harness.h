/* harness.h - drives the TCP core without EAL: its output queue as the capture, time as a variable, segment builders. */
#ifndef TCPE_TEST_HARNESS_H
#define TCPE_TEST_HARNESS_H

#include <stdint.h>

#include <CUnit/CUnit.h>

#include "bbr.h"
#include "reasm.h"
#include "sack.h"
#include "tcp.h"

/** One worker's core context; what it decides to send stays in q until h_clear(). */
struct harness {
	struct tcp_ctx c;
	struct tcp_cfg cfg;
	struct tcpe_stats st;
	struct tmr_link slots[256];
	struct tcp_outq q;	/**< the core's output queue: q.d[i].o is the i-th segment sent */
	struct reasm reasm[4];	/**< the out-of-order queue pool */
	struct scoreboard sbs[4];	/**< the SACK scoreboard pool */
	struct tcp_bbr bbrs[2];		/**< the BBR pool (cfg.cc = TCP_CC_BBR) */
	struct tcp_cubic cubics[2];	/**< the CUBIC pool (cfg.cc = TCP_CC_CUBIC) */
	struct tmr_link pace_slots[256];
	struct tcp_dack dack;
	struct tcp_dack_ent dack_ents[16];
	struct tcb t;		/**< the connection under test */
	struct tcp_tuple tuple;
	uint32_t peer_iss;	/**< the peer's ISN; segments are built relative to it */
};

/** Packets the core released through its pkt_free hook (any harness), since h_init(). */
extern unsigned int h_pkts_freed;

/** Fresh harness at time @p now_us with the default test configuration. */
void h_init(struct harness *h, uint64_t now_us);

/** Move time to @p now_us and run due timers of h->t; returns the events of the last one. */
uint32_t h_advance(struct harness *h, uint64_t now_us);

/** Forget captured segments (empty the output queue, as the runtime's drain does). */
void h_clear(struct harness *h);

/** The peer's segment: flags, seq and ack relative to the two ISNs (+1 after SYNs), payload len. */
struct tcp_seg h_seg(const struct harness *h, uint8_t flags, uint32_t rel_seq, uint32_t rel_ack,
		     uint32_t len);

/** Feed @p s to h->t and run output (tcp_input then tcp_output); returns the events. */
uint32_t h_input(struct harness *h, const struct tcp_seg *s, struct tcp_rx *rx);

/** SYN from the peer, SYN-ACK from us, the peer's ACK: h->t ends ESTABLISHED. */
void h_establish(struct harness *h);

/** h_init() then h_establish(): a fresh ESTABLISHED connection at @p now_us. */
void h_established(struct harness *h, uint64_t now_us);

/** An ESTABLISHED connection that we close first and the peer's FIN+ACK completes: TIME_WAIT. */
void h_time_wait(struct harness *h, uint64_t now_us);

/** End of a test: abort whatever is left of h->t, then h_no_leaks(). */
void h_finish(struct harness *h);

/** Assert captured segment @p i has these flags, relative seq/ack and length. */
void h_expect(const struct harness *h, unsigned int i, uint8_t flags, uint32_t rel_seq,
	      uint32_t rel_ack, uint32_t len, const char *file, int line);
#define EXPECT_OUT(h, i, fl, s, a, l) h_expect(h, i, fl, s, a, l, __FILE__, __LINE__)

/** A distinct fake packet pointer @p i (< 64): the core only stores and hands back pointers. */
void *h_pkt(unsigned int i);

/** SYN offering @p present options (window shift 7, timestamp 1000), SYN-ACK, the peer's ACK. */
void h_establish_with(struct harness *h, uint8_t present);

/** A peer data segment of @p len bytes at relative @p rel_seq, carrying fake packet @p pkt. */
struct tcp_seg h_data_seg(const struct harness *h, uint32_t rel_seq, uint32_t len, unsigned int pkt);

/** Queue @p n full segments with a wide peer window and run output. */
void h_send_segments(struct harness *h, unsigned int n);

/** Teardown check: no timer armed anywhere, every state gauge back to zero, no segment lost
 * to a full output queue. */
void h_no_leaks(struct harness *h);

#endif
