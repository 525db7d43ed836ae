/* conn.h - the connection table: one worker's records, TIME_WAIT entries, listeners and SYN cookies, and the path a parsed segment takes through them. */
#ifndef TCPE_CONN_H
#define TCPE_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "app.h"
#include "bbr.h"
#include "build.h"
#include "config.h"
#include "flow.h"
#include "parse.h"
#include "reasm.h"
#include "sack.h"
#include "sndq.h"
#include "tcb.h"
#include "tcp.h"
#include "tw.h"

#define CONN_WHEEL_SLOTS 4096	/**< x ~1 ms ticks: a 4 s rotation */
#define CONN_PACE_SLOTS 4096	/**< x 64 us ticks: the pacing wheel turns in ~262 ms */
#define CONN_BBR_MAX 65536	/**< BBR models per worker at most (beyond: NewReno, counted) */
#define CONN_TIMER_BATCH 64	/**< expiries handled per list per call of conn_timers() */
#define CONN_TIMER_US 8		/**< conn_timers_step() runs the timers this often, at most */
#define CONN_APP_MAX (APP__COUNT + 1)	/**< the built-in apps and client mode's */
#define CONN_APP_CLIENT APP__COUNT	/**< the id client mode's connections run under */

struct conn_table;

/**
 * A connection's queues, only while it has something queued: what it sent or will send until the
 * peer acknowledges it, and input its application has not taken. Most records hold neither for
 * most of their life (an idle connection, one whose answer was acknowledged), so they live in a
 * pool of their own, sized by the mbufs that can fill them (each queue that is not empty holds
 * one at least), not by the records: an idle record is that much smaller.
 */
struct conn_q {
	struct sndq sndq;
	struct rte_mbuf *rcvq;	/**< received bytes the application has not taken yet: RX mbufs
				     trimmed to them, linked through next, oldest first */
	struct rte_mbuf *cur_m;	/**< the send-queue mbuf the last segment started in (NULL:
				     none), and the sequence number of its first byte: the next
				     segment is found from there (conn_io.c) */
	uint32_t cur_seq;
	uint32_t rcvq_bytes;
} __rte_aligned(64);

/**
 * One connection: the core's TCB first, then what the runtime keeps (peer MAC, lists, its queues
 * when it has any; its application's state, if that keeps any, in an array beside). Fixed size,
 * from the table's preallocated pool.
 */
struct conn {
	struct tcb tcb;		/**< (on the free list, tcb.iss is 1 + the next free record's
				     index; 0: the last) */
	uint32_t q;		/**< its queues: index + 1 in the table's pool; 0: none */
	struct conn_table *tab;
	struct rte_ether_addr peer_mac;
	uint8_t port;		/**< the worker's port index */
	uint8_t app;		/**< enum tcpe_app_id, or CONN_APP_CLIENT */
	uint16_t in_use : 1;
	uint16_t accepted : 1;	/**< on_accept ran: on_closed is owed */
	uint16_t aborted : 1;	/**< the application reset it */
	uint16_t time_wait : 1;	/**< during on_closed: the tuple goes on in TIME_WAIT */
	uint16_t want_write : 1; /**< a send was cut short, or input not taken: on_writable owed */
	uint16_t blocked : 1;	/**< on the worker's list of records waiting for send budget */
	uint16_t fin_held : 1;	/**< the peer's FIN waits behind held input */
	uint16_t orphan : 1;	/**< the application closed it (it is on the orphan list) */
	uint16_t txwait : 1;	/**< on the worker's list of records waiting for transmit room */
	uint16_t ready : 1;	/**< on the worker's list of records whose held input waits for
				     the applications' next time slice */
	uint16_t yielding : 1;	/**< during on_data: the application called tcpe_yield() */
	uint16_t traced : 1;	/**< --trace follows it: its number is in the table's trace_ids */
	uint32_t orphan_gen;	/**< an orphan's number (the table's count of orphans then): its
				     entry on the orphan list names it (0: not an orphan) */
};

/** An application's per-connection state (tcpe_app_state()). */
struct conn_app_state {
	uint64_t v[4];
};

/** An entry of the orphan list: a record, and which of its orphans (conn.orphan_gen). */
struct conn_orphan_ent {
	uint32_t idx;
	uint32_t gen;
};

/**
 * The orphan list, oldest first: records whose application has closed and that still wait for
 * their peer. A record that leaves it (released, its index perhaps taken by a new orphan since)
 * leaves a stale entry, skipped when it comes up or swept out when the list is full; the list
 * has room for --max-orphans and a quarter more, so a sweep is rare and frees a quarter at least.
 */
struct conn_orphanq {
	struct conn_orphan_ent *e;
	uint32_t cap, head, n;
};

/** A FIFO of record indexes, each listed at most once while its bit is set; released records
 * leave stale entries that are skipped when they come up; each list is sized for
 * what can be on it (conn_life.c). */
struct conn_fifo {
	uint32_t *q;
	uint32_t mask, head, tail;
};

#define CONN_DACK_MAX (1u << 17)	/**< delayed-ACK queue entries per worker, at most */
#define CONN_SB_MAX 8192u		/**< SACK scoreboards per worker, at most (~13 MiB) */

#define CONN_SMALL_SEGS 8	/**< a connection holding fewer send-queue mbufs may use the
				     reserved last quarter of the worker's budget (conn_app.c) */

/** What the table needs from the worker that embeds it. */
struct conn_hooks {
	/** Take frame @p m for port @p port (the worker's TX buffer owns it afterwards). */
	void (*tx)(void *arg, uint16_t port, struct rte_mbuf *m);
	/** Data segments port @p port's transmit queue can take now (UINT32_MAX: as many as
	 * come; it is not backed up). NULL: always UINT32_MAX. */
	uint32_t (*tx_room)(void *arg, uint16_t port);
	/** True when this worker owns @p key (steering's invariant, counted when false); NULL:
	 * every tuple is ours. */
	bool (*owns)(void *arg, const struct tcp_tuple *key);
	void *arg;
};

/** Where a table lives and what it reports to; everything else comes from the config. */
struct conn_env {
	unsigned int index;		/**< the worker's number (trace records, flow-table name) */
	unsigned int lcore;		/**< for trace records */
	int socket;			/**< NUMA node of the tables */
	struct rte_mempool *mp;		/**< send queues and built packets */
	struct tcpe_stats *st;		/**< the worker's counters */
	struct rte_ring *trace_ring;	/**< --trace records towards the control core, or NULL */
	struct conn_hooks hooks;
	const struct tx_props *tx;	/**< per port: how to build frames (indexed like port) */
	uint16_t nports;
	uint64_t now_us;		/**< the clock at creation (conn_set_now() moves it on) */
	uint32_t data_budget;		/**< send-queue mbufs this worker may hold (its share of
					     the send pool, less what frames in flight need) */
};

/** One worker's connection layer. Written only by its worker (see conn_table_create()). */
struct conn_table {
	/* --- hot --- */
	struct tcp_ctx tcp;		/**< the core's context: config, counters, timers, clock */
	struct rte_mempool *mp;
	struct flow_table *flows;	/**< 4-tuple -> record, or (low bit set) TIME_WAIT entry */
	struct conn *conns;
	uint32_t free_head;		/**< the free records, linked through tcb.iss (index + 1;
					     0: none) */
	uint32_t nfree;
	uint32_t nconns;
	bool churn;			/**< a key was added or removed since the burst's lookup */
	bool rx_batch;			/**< in conn_input_burst(): consumed frames wait in rx_done */
	uint16_t rx_ndone;		/**< ... how many */
	uint64_t timers_at;		/**< conn_timers_step(): the clock at which timers run next */
	struct tcpe_stats *st;
	struct conn_hooks hooks;
	const struct tx_props *tx;
	uint16_t nports;
	const struct tcpe_config *cfg;
	uint32_t data_budget;		/**< send-queue mbufs this worker may hold */
	uint32_t sndbuf_min;		/**< a connection's send budget: --sndbuf, */
	uint32_t sndbuf_max;		/**< grown with its window up to --sndbuf-max */
	uint32_t sndbuf_mult;		/**< times cwnd (6; 8 for BBR) */
	uint32_t sndq_segs;		/**< ... and holds now */
	uint32_t rcv_held;		/**< received mbufs held for applications (rcvq) */
	uint32_t rcv_hold_max;
	uint32_t norphans;
	struct conn_orphanq orphq;	/**< the orphans, oldest first */
	uint32_t orphan_gen;		/**< orphans so far (modulo 2^32, 0 skipped) */
	struct conn_fifo blocked;	/**< records waiting for send budget (c->blocked) */
	struct conn_fifo txwait;	/**< records waiting for transmit room (c->txwait) */
	struct conn_fifo ready;		/**< records whose input waits for a time slice (c->ready) */
	struct rte_mbuf *rx_done[FLOW_BULK_MAX]; /**< received frames consumed in this burst,
					     given back together at its end */
	uint64_t slice_start;		/**< TSC the worker iteration began (conn_set_slice()) */
	uint64_t slice_used;		/**< TSC cycles the applications' on_data took in this
					     iteration, counted while armed */
	uint64_t app_t0;		/**< TSC the running on_data began (while armed) */
	uint64_t slice_cycles;		/**< --app-slice-us in TSC cycles (0: no limit) */
	bool slice_armed;		/**< input is checked against the slice (conn_slice_done()) */
	struct tcp_outq outq;		/**< what the core decided to send, drained after each call */
	struct conn_app_state *app_state; /**< per record: its application's state (NULL: no
					     application that keeps state can run here) */
	uint8_t (*raddr6)[16];		/**< per record: its IPv6 peer's address (NULL: no port
					     has IPv6; IPv4 records leave theirs unused) */
	struct conn_q *qs;		/**< the queues' pool (struct conn_q) */
	uint32_t *q_free;		/**< stack of free queue indexes */
	uint32_t nq, nq_free;
	/* --- warm --- */
	uint64_t cookie_sent_us;	/**< when the last SYN cookie went out (0: never) */
	uint32_t flow_seed;		/**< the flow table's hash seed (random per table) */
	uint64_t traced;		/**< connections traced so far */
	uint32_t *trace_ids;		/**< per record: its trace number (--trace; else NULL) */
	struct rte_ring *trace_ring;
	uint16_t index;
	uint32_t lcore;
	int socket;			/**< NUMA node of the tables */
	struct tcp_cfg tcp_cfg;
	struct tcpe_app_params params;
	const struct tcpe_app *apps[CONN_APP_MAX];
	void *app_ctx[CONN_APP_MAX];
	int64_t wall_off_us;		/**< wall clock = tcp.now + this */
	struct reasm *reasm;		/**< out-of-order queue pool */
	uint32_t nreasm;
	struct scoreboard *sbs;		/**< SACK scoreboard pool (connections recovering loss) */
	uint32_t nsb;
	struct tcp_cubic *cubics;	/**< CUBIC state pool (--cc cubic), or NULL */
	uint32_t ncubic;
	struct tcp_bbr *bbrs;		/**< BBR model pool (--cc bbr), or NULL */
	uint32_t nbbr;
	struct tcp_dack dack;		/**< delayed-ACK FIFO */
	struct tcp_tw_table tw;		/**< compact TIME_WAIT entries */
	struct tcp_ts_cache ts_cache[TCP_TS_CACHE];
	uint8_t *body;			/**< TCPE_BODY_TEMPLATE bytes, read-only after creation */
	rte_iova_t body_iova;		/**< its IO address (references to it are sent) */
	struct rte_mbuf_ext_shared_info body_shinfo;
	struct body_sums body_sums;	/**< its checksums, so sending it never reads it */
	uint8_t app_scratch[TCPE_APP_WORKER_SCRATCH] __rte_cache_aligned;
	/* --- large --- */
	uint8_t listen_app[65536] __rte_cache_aligned;	/**< host-order port -> app id + 1; 0: none */
	struct tmr_link wheel_slots[CONN_WHEEL_SLOTS];
	struct tmr_link pace_slots[CONN_PACE_SLOTS];
};

/** @p c's queues, or NULL: it has nothing queued either way. */
static inline struct conn_q *
conn_q_of(const struct conn *c)
{
	return c->q != 0 ? &c->tab->qs[c->q - 1] : NULL;
}

/** Bytes in @p c's send queue (queued and not acknowledged). */
static inline uint32_t
conn_sndq_bytes(const struct conn *c)
{
	const struct conn_q *q = conn_q_of(c);

	return q != NULL ? q->sndq.bytes : 0;
}

/** Mbufs @p c's send queue holds. */
static inline uint32_t
conn_sndq_nsegs(const struct conn *c)
{
	const struct conn_q *q = conn_q_of(c);

	return q != NULL ? q->sndq.nsegs : 0;
}

/** Bytes @p c holds for its application. */
static inline uint32_t
conn_rcvq_bytes(const struct conn *c)
{
	const struct conn_q *q = conn_q_of(c);

	return q != NULL ? q->rcvq_bytes : 0;
}

/* Flow-table values: a record, or (low bit set) a compact TIME_WAIT entry. */
static inline bool
conn_ref_is_tw(const void *ref)
{
	return ((uintptr_t)ref & 1) != 0;
}

static inline struct tcp_tw *
conn_ref_tw(void *ref)
{
	return (struct tcp_tw *)((uintptr_t)ref & ~(uintptr_t)1);
}

/**
 * Build a table from @p cfg (records, flow table, TIME_WAIT ring, timers, listeners, body
 * template, RFC 6528 secret) on @p env's NUMA node. Control core, before the worker starts.
 * @return the table, or NULL with rte_errno set (ENOMEM, EIO without a random source).
 */
struct conn_table *conn_table_create(const struct tcpe_config *cfg, const struct conn_env *env);

/** Release every connection (no packet sent) and what conn_table_create() allocated. */
void conn_table_destroy(struct conn_table *tab);

/** Set the table's clock (microseconds, monotonic): once per worker iteration. */
static inline void
conn_set_now(struct conn_table *tab, uint64_t now_us)
{
	tab->tcp.now = now_us;
}

/**
 * Start the applications' time slice of a worker iteration that began at TSC @p tsc. The slice
 * is the time the applications' on_data take in the iteration: armed (conn_slice_done()), each
 * call is timed (two TSC reads) and input waits for a later iteration once they have used
 * --app-slice-us - time the worker spent elsewhere, or was not running at all (a preempted
 * vCPU), does not count. Unarmed, nothing is timed and an application that yields between units
 * of work (tcpe_yield()) is bounded by the iteration's wall time instead.
 */
static inline void
conn_set_slice(struct conn_table *tab, uint64_t tsc)
{
	tab->slice_start = tsc;
	tab->slice_used = 0;
}

/**
 * A busy worker iteration took @p cycles: the next one times the applications (arms the slice)
 * only when this one took half a slice or more, or input waits for a slice.
 */
static inline void
conn_slice_done(struct conn_table *tab, uint64_t cycles)
{
	tab->slice_armed = tab->slice_cycles != 0 &&
			   (cycles * 2 >= tab->slice_cycles || tab->ready.head != tab->ready.tail);
}

/**
 * Offer held input to the applications whose time slice ran out before (oldest first) while the
 * iteration's slice lasts, at least one piece per call, and send what they queue. Once per worker
 * iteration, after its input: a slow application (or a burst of requests) costs the port a short
 * wait, never a long one, so new SYNs are shed at parse time instead of the ring overflowing with
 * the ACKs and requests of connections already admitted. @return true when it offered any.
 */
bool conn_app_slice(struct conn_table *tab);

/** Applications' input left over when the last slice ran out (conn_app_slice() has more to do). */
bool conn_app_pending(const struct conn_table *tab);

/** Register @p ctx as what tcpe_app_ctx() returns for connections of application @p app. */
void conn_set_app_ctx(struct conn_table *tab, unsigned int app, void *ctx);

/** Run @p app as application @p id on the records @p tab opens for it (client mode's); one
 * that keeps state gets the records' state array if the table has none yet.
 * @return 0, or -ENOMEM. */
int conn_set_app(struct conn_table *tab, unsigned int id, const struct tcpe_app *app);

/**
 * Process @p n (<= 32) validated TCP segments that arrived on port @p port, in order: one bulk
 * flow lookup, then TIME_WAIT entry, record, listener or SYN cookie for each (RFC 9293
 * §3.10.7), the application's callbacks, and what must be sent, built and handed to the tx
 * hook. Takes every mbuf. @p rx, when not NULL, receives the core's verdict on the last segment
 * (tests).
 */
void conn_input_burst(struct conn_table *tab, uint16_t port, struct rte_mbuf **m,
		      struct pkt_info **pi, unsigned int n, struct tcp_rx *rx);

/**
 * Run the timers that are due (bounded per call): RTO, delayed ACKs, TIME_WAIT, FIN_WAIT_2; and
 * the worker's housekeeping: wake applications waiting for send budget, reset orphans over
 * --max-orphans.
 */
void conn_timers(struct conn_table *tab);

/**
 * The worker loop's timer step: conn_timers() at most once per CONN_TIMER_US of the table's
 * clock (its wheels turn in 64 us and 1 ms ticks; at a million loops a second the checks of
 * empty lists were a tenth of a busy worker), and in between only what is queued goes out.
 */
void conn_timers_step(struct conn_table *tab);

/**
 * Active open (client mode): a record for @p tuple on port @p port towards @p mac, run by
 * application @p app, and its SYN; @p raddr6 is the IPv6 peer's address of an IPv6 tuple
 * (NULL for IPv4). @return the socket, or NULL when the record pool (client_no_record) or the
 * flow table is full.
 */
struct tcpe_sock *conn_open(struct conn_table *tab, const struct tcp_tuple *tuple,
			    const void *raddr6, uint16_t port, const struct rte_ether_addr *mac,
			    unsigned int app);

/**
 * ICMP "fragmentation needed" for our segment of connection @p key at @p seq, next-hop MTU
 * @p mtu (RFC 1191, validated per RFC 5927): the record's segment size is lowered and what is in
 * flight resent. @p m (the ICMP frame) is consumed: freed, or counted as a drop when no record
 * believes it.
 */
void conn_icmp_toobig(struct conn_table *tab, struct rte_mbuf *m, const struct tcp_tuple *key,
		      uint32_t seq, uint16_t mtu);

/**
 * True when @p tuple can be opened now: no record holds it, and a TIME_WAIT entry, if any, was
 * ended because timestamps make reuse safe and it is over @p tw_reuse_us old (client mode).
 */
bool conn_tuple_free(struct conn_table *tab, const struct tcp_tuple *tuple, uint64_t tw_reuse_us);

/**
 * Start loading what conn_open() of @p tuple touches first and would otherwise wait for: its two
 * flow-table buckets (client mode picks its opens' tuples a few opens ahead and calls this).
 */
void conn_open_prefetch(const struct conn_table *tab, const struct tcp_tuple *tuple);

/**
 * Drop every connection, TIME_WAIT entry and held packet, and reset timers and counters, as if
 * the table were new (the fuzzer between inputs). Applications get on_closed.
 */
void conn_table_reset(struct conn_table *tab);

/** The record of socket @p s (the application interface's handle). */
static inline struct conn *
conn_of_sock(struct tcpe_sock *s)
{
	return (struct conn *)s;
}

#endif
