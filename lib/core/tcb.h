/* tcb.h - the fixed-size TCP connection record (RFC 9293 §3.3.1 variables) and the core's per-worker context. */
#ifndef TCPE_TCB_H
#define TCPE_TCB_H

#include <stdint.h>

#include "opts.h"
#include "stats.h"
#include "timer.h"

/** A connection's addresses and ports in network byte order: the flow-table key (12 bytes). */
struct tcp_tuple {
	uint32_t raddr;		/**< remote (peer) IPv4 address */
	uint32_t laddr;		/**< local IPv4 address */
	uint16_t rport;
	uint16_t lport;
};
_Static_assert(sizeof(struct tcp_tuple) == 12, "tuple is the packed 12-byte hash key");

/*
 * An IPv6 connection keeps the 12-byte key: laddr holds 255.0.P.255 (P: the worker's port
 * index), never an IPv4 address of ours, and raddr a keyed 32-bit hash of the peer's IPv6
 * address (SipHash under a per-worker secret, so a peer cannot choose addresses that share a
 * key); the record keeps the address itself, and a segment whose address differs from its
 * record's is dropped (ip6_key_clash). IPv4 connections pay nothing for IPv6.
 */

/** The laddr of an IPv6 connection on port index @p port (network order, byte order free). */
static inline uint32_t
tuple_laddr_ip6(unsigned int port)
{
	union {
		uint8_t b[4];
		uint32_t v;
	} u = { .b = { 0xff, 0, (uint8_t)port, 0xff } };

	return u.v;
}

/** True when @p t is an IPv6 connection's key. */
static inline int
tuple_is_ip6(const struct tcp_tuple *t)
{
	const uint8_t *b = (const uint8_t *)&t->laddr;

	return b[0] == 0xff && b[3] == 0xff && b[1] == 0;
}

/** Bytes the IPv6 header takes beyond IPv4's (40 - 20): less room for a segment's payload. */
#define TUPLE_IP6_EXTRA 20

/** TCP header flag bits (RFC 9293 §3.1). */
enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
};

/** Bits of tcb.flags. */
enum {
	TCB_ACK_NOW = 1u << 0,	 /**< an ACK is owed and goes out with the next output */
	TCB_FIN_QUEUED = 1u << 1, /**< the application closed: FIN follows the queued data */
	TCB_PEER_FIN = 1u << 2,	 /**< the peer's FIN has been received */
	TCB_TRACE = 1u << 3,	 /**< segments of this connection are traced */
	TCB_ON_TW = 1u << 4,	 /**< timer link is on the TIME_WAIT FIFO */
	TCB_ON_FW2 = 1u << 5,	 /**< timer link is on the FIN_WAIT_2 FIFO */
	TCB_IDLE = 1u << 6,	 /**< timer link is on the wheel as the idle timer, not the RTO */
	TCB_RTT_TIMING = 1u << 7, /**< a segment is being timed (rtt_seq, rtt_start_us) */
	TCB_DACK = 1u << 8,	 /**< one data segment is unacknowledged: a delayed ACK is owed */
	TCB_RECOVERY = 1u << 9,	 /**< in NewReno fast recovery (RFC 6582) until recover is acked */
	TCB_KEEPALIVE = 1u << 10, /**< the quiet timer is a keepalive, not the application's idle */
	TCB_TX_WAIT = 1u << 11,	 /**< new data stopped for the port's transmit room (tcp_ctx.tx_budget) */
	TCB_LIMITED_TX = 1u << 12, /**< one new segment may exceed cwnd (RFC 3042) */
	TCB_FIN_DATA = 1u << 13,  /**< the FIN may ride on the segment that ends the data */
	TCB_REO_TIMER = 1u << 14, /**< the timer waits out the reordering window of a hole (RACK,
				   *   RFC 8985 §6.3), not the RTO */
	TCB_TLP_TIMER = 1u << 15, /**< the timer is a tail loss probe's (RFC 8985 §7), not the RTO */
};

/** Bits of tcb.opt: what the handshake negotiated (RFC 7323, RFC 2018). */
enum {
	TCB_OPT_WS = 1u << 0,	/**< window scaling in both directions */
	TCB_OPT_TS = 1u << 1,	/**< timestamps on every segment */
	TCB_OPT_SACK = 1u << 2,	/**< the peer takes SACK blocks */
};

struct reasm;
struct scoreboard;
struct tcp_bbr;

/**
 * The protocol state of one connection. Fixed size, from a preallocated per-worker pool; payload
 * lives in mbufs owned by the runtime, so the core only does sequence-space bookkeeping.
 * Sequence variables are host order; the tuple stays in network order.
 */
struct tcb {
	struct tcp_tuple tuple;
	uint8_t state;		/**< enum tcp_state */
	uint8_t retries;	/**< consecutive RTO expiries (or keepalive probes) without progress */
	uint16_t flags;		/**< TCB_* */
	uint8_t opt;		/**< TCB_OPT_* */
	uint8_t snd_ws;		/**< the peer's window shift (its SEG.WND << snd_ws) */
	uint8_t rcv_ws;		/**< our window shift */
	uint8_t dupacks;	/**< consecutive duplicate ACKs (RFC 5681 §2) */
	/* send sequence space: una <= nxt <= max <= end (+1 once the FIN is queued) */
	uint32_t iss;
	uint32_t snd_una;	/**< oldest unacknowledged */
	uint32_t snd_nxt;	/**< next to send (pulled back to una on RTO) */
	uint32_t snd_max;	/**< highest sequence sent + 1 */
	uint32_t snd_end;	/**< end of the data the application queued; the FIN takes this seq */
	uint32_t snd_wnd;	/**< peer's advertised window, scaled */
	uint32_t snd_wl1;	/**< seq of the segment that last updated snd_wnd */
	uint32_t snd_wl2;	/**< ack of the segment that last updated snd_wnd */
	/* congestion control (RFC 5681, RFC 6582) */
	uint32_t cwnd;
	uint32_t ssthresh;
	uint32_t cwnd_acc;	/**< bytes acked toward the next congestion-avoidance increase */
	uint32_t recover;	/**< snd_max when recovery began (RFC 6582) */
	union {			/* the worker's congestion control decides which */
		uint32_t cubic;		/**< CUBIC: 1 + the index of its state in the worker's pool
					 *   (tcp_ctx.cubic_pool), taken at its first reduction
					 *   (0: none yet; CUBIC_NONE: none was left) */
		uint32_t bbr;		/**< BBR: 1 + the index of its model in the worker's pool
					 *   (tcp_ctx.bbr_pool; 0: none) */
	};
	/* receive sequence space */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;	/**< right edge of the window last advertised (never moved left) */
	uint32_t rcv_wnd;	/**< what the runtime can take now: the window it wants to offer,
				 *   and the most data accepted beyond rcv_nxt */
	uint32_t ts_recent;	/**< RFC 7323 TS.Recent */
	uint32_t ts_off;	/**< our timestamp clock's offset: per address pair, so that it
				 *   grows across incarnations of a 4-tuple (RFC 6191, RFC 7323 §5.4) */
	uint16_t snd_mss;	/**< segment size we send: peer's MSS option capped by ours */
	uint16_t max_wnd_raw;	/**< the largest SEG.WND the peer has sent, unscaled: MAX.SND.WND
				 *   of RFC 5961 §5.2 is this << snd_ws */
	uint32_t rto_us;	/**< current retransmission timeout (backed off) */
	uint32_t idle_ms;	/**< close after this long with nothing in flight (0: never) */
	/* RFC 6298 estimator, Jacobson's fixed point: SRTT x 8 and RTTVAR x 4, in microseconds */
	uint32_t srtt8;		/**< 0: no sample yet */
	uint32_t rttvar4;
	uint32_t rtt_seq;	/**< the timed segment is acknowledged once SEG.ACK passes this */
	uint32_t rtt_start_us;	/**< when it was sent (low 32 bits of the clock) */
	uint16_t min_rtt64;	/**< smallest RTT sample, in 64 us units (0: none; saturates at
				 *   ~4.2 s): RACK's reordering window is a quarter of it */
	uint8_t reo_mult;	/**< RACK.reo_wnd_mult (RFC 8985 §6.2): 0 until reordering is seen,
				 *   then grown by each recovery found spurious */
	uint8_t reo_persist;	/**< recoveries left before reo_mult falls back to 1 */
	uint32_t rq;		/**< out-of-order segments held: 1 + the index of the queue in the
				 *   worker's pool (tcb_rq()); 0: none (most connections) */
	uint32_t sb;		/**< what the peer SACKed of ours: 1 + the index of the scoreboard
				 *   in the worker's pool (tcb_sb()); 0: none (no loss: most) */
	struct tmr_link timer;	/**< RTO on the wheel, or TIME_WAIT / FIN_WAIT_2 on a FIFO */
};

/**
 * CUBIC's memory of one connection (RFC 9438). A connection in slow start has none to keep: it
 * is taken from the worker's pool at the first reduction of its window (or its first step of
 * congestion avoidance) and kept until the record goes.
 */
struct tcp_cubic {
	uint32_t wmax;		/**< window before the last reduction */
	uint32_t epoch;		/**< growth epoch start, ~ms ticks (0: none) */
	uint32_t k;		/**< ticks to climb back to W_max */
	uint32_t west;		/**< Reno-friendly window estimate, bytes */
	uint32_t west_acc;	/**< bytes acked toward the next W_est step */
	uint32_t next_free;	/**< in the free list: 1 + the index of the next (0: last) */
};

#define CUBIC_NONE UINT32_MAX	/**< tcb.cubic of a connection the pool had nothing left for */

/** Congestion control for what we send. */
enum tcp_cc { TCP_CC_NEWRENO, TCP_CC_CUBIC, TCP_CC_BBR };

/** Configuration the core reads; built once at start-up by the runtime. */
struct tcp_cfg {
	uint16_t mss;		/**< MSS we announce and the largest segment we send */
	uint8_t rcv_ws;		/**< window shift we offer (enough for rcv_wnd) */
	uint8_t features;	/**< TCB_OPT_* we offer and accept */
	uint32_t rcv_wnd;	/**< receive window, bytes (scaled when the peer agrees) */
	uint32_t rto_init_us;	/**< RTO before any RTT sample (RFC 6298 §2.1: 1 s) */
	uint32_t rto_min_us;	/**< floor of the computed RTO (RFC 6298 §2.4 says 1 s; Linux 200 ms) */
	uint32_t rto_max_us;	/**< backoff ceiling */
	uint32_t delack_us;	/**< delayed-ACK timeout (0: ACK every segment at once) */
	uint64_t keepalive_us;	/**< idle time before keepalive probes (0: off; up to a day:
				     64 bits) */
	uint64_t keepalive_intvl_us; /**< between unanswered probes */
	uint8_t keepalive_probes; /**< unanswered probes before the connection is reset */
	uint8_t synack_retries;	/**< SYN-ACK retransmissions before the half-open record is freed */
	uint8_t data_retries;	/**< data/FIN retransmissions before the connection is reset */
	uint8_t orphan_retries;	/**< the same once the application has closed (and unanswered
				 *   zero-window probes: an orphan is not probed forever) */
	uint8_t init_cwnd;	/**< initial window in segments (RFC 6928: 10) */
	uint8_t cc;		/**< enum tcp_cc */
	uint32_t reasm_max_pkts; /**< out-of-order packets held per worker, all connections */
	uint64_t time_wait_us;	/**< 2 * MSL */
	uint64_t fin_wait2_us;	/**< how long an orphaned FIN_WAIT_2 waits for the peer's FIN */
	uint32_t challenge_ack_limit; /**< challenge ACKs per second per worker (RFC 5961 §7); 0: no limit */
	uint8_t isn_key[16];	/**< RFC 6528 secret */
	uint8_t ts_key[16];	/**< key of the timestamp offsets: the same in every tcpe process of
				 *   this boot, so that a pair's clock never runs back when a process
				 *   takes over from another (tcp_ts_offset()) */
};

struct tcp_outq;
struct tcp_dack;

/** A remembered timestamp offset of an address pair (tcp_ts_offset()). */
struct tcp_ts_cache {
	uint32_t laddr, raddr;	/**< network order; 0: empty */
	uint32_t off;
};
#define TCP_TS_CACHE_BITS 6
#define TCP_TS_CACHE (1u << TCP_TS_CACHE_BITS) /**< remembered address pairs, direct-mapped */

/** The core's view of one worker: configuration, counters, timers, clock and output queue. */
struct tcp_ctx {
	const struct tcp_cfg *cfg;
	struct tcpe_stats *st;
	struct tmr_wheel wheel;		/**< RTO timers */
	struct tmr_fifo time_wait;	/**< fixed 2*MSL */
	struct tmr_fifo fin_wait2;	/**< fixed orphan FIN_WAIT_2 timeout */
	uint64_t now;			/**< microseconds, set once per worker iteration */
	uint64_t chack_second;		/**< window + 1 the challenge-ACK budget is for (0: none yet) */
	uint32_t chack_left;		/**< challenge ACKs still allowed in that second */
	struct reasm *reasm_pool;	/**< the out-of-order queues (tcb.rq indexes them) */
	struct reasm *reasm_free;	/**< ... those free */
	struct reasm *reasm_lru;	/**< queues in use, least recently progressed first */
	struct reasm *reasm_mru;	/**< ... and the most recently */
	struct scoreboard *sb_pool;	/**< SACK scoreboards (tcb.sb indexes them) */
	struct scoreboard *sb_free;	/**< ... those free */
	struct tcp_cubic *cubic_pool;	/**< CUBIC states (--cc cubic), tcb.cubic indexes them */
	uint32_t cubic_free;		/**< 1 + the index of the first free one (0: none) */
	struct tcp_bbr *bbr_pool;	/**< BBR states (--cc bbr), tcb.bbr indexes them */
	struct tcp_bbr *bbr_free;	/**< ... those free */
	struct tmr_wheel pace_wheel;	/**< BBR states waiting for their next send time */
	struct tcp_dack *dack;		/**< records owing a delayed ACK, oldest first */
	void (*pkt_free)(void *pkt);	/**< releases a packet the core held (out-of-order data) */
	struct tcp_ts_cache *ts_cache;	/**< TCP_TS_CACHE entries, or NULL: always hash */
	struct tcp_outq *outq;		/**< segments decided, for the runtime to send (tcp.h) */
	/* Transmit back-pressure (Linux's TCP Small Queues, in spirit): while the port's queue is
	 * full, the runtime sets tx_budgeted and the data segments it can still take; new data
	 * beyond that stays queued, the record is flagged TCB_TX_WAIT and the runtime calls
	 * tcp_output() again when the queue drains. Nothing new is sent only to be dropped. */
	bool tx_budgeted;
	uint32_t tx_budget;
	/* D-SACK (RFC 2883): the duplicate an ACK being emitted now reports first (tcp_emit_dsack) */
	bool dsack_on;
	uint32_t dsack_left, dsack_right;
};

#endif
