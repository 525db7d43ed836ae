/* conn_app.c - the application interface (app.h) over the connection table: events to callbacks, send budgets and back-pressure, input held for applications that cannot take it, orphans, and the record lists (FIFOs) these use. */
#include "conn.h"

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "conn_priv.h"

#define WAKE_BATCH 64		/**< applications woken per worker iteration at most */
#define WAKE_ROOM 16		/**< send-budget mbufs that must be free before a wake */

/* --- send budgets ----------------------------------------------------------------------- */

/* Send-queue mbufs the worker may still hand out. */
static inline uint32_t
budget_left(const struct conn_table *tab)
{
	return tab->data_budget > tab->sndq_segs ? tab->data_budget - tab->sndq_segs : 0;
}

/*
 * Send-queue mbufs @p c may take now. The last quarter of the worker's budget is kept for
 * connections that hold fewer than CONN_SMALL_SEGS (each may take it up to that many): however
 * many peers sit on large queued answers (not ACKing, zero windows), a new connection still finds
 * room for its first response.
 */
static inline uint32_t
conn_budget(const struct conn_table *tab, const struct conn *c)
{
	uint32_t left = budget_left(tab), reserve = tab->data_budget / 4;
	uint32_t open = left > reserve ? left - reserve : 0, nsegs = conn_sndq_nsegs(c);

	if (nsegs < CONN_SMALL_SEGS)
		open += CONN_SMALL_SEGS - nsegs;
	return open < left ? open : left;
}

/*
 * The connection's send budget: --sndbuf, grown with the congestion window up to --sndbuf-max
 * (as Linux's tcp_sndbuf_expand(): 2x cwnd, 3x with BBR, in skb memory of ~2.8 bytes per byte
 * of payload - here 6x and 8x in payload bytes). Room for the window to grow while what is in
 * flight, and what is SACKed above holes, waits for its ACKs: on a lossy path a fixed budget,
 * not the window, limited the sender. The window grows only as the peer acknowledges; the
 * worker's budget still bounds all connections together, with its last quarter kept for small
 * ones (conn_budget()).
 */
static inline uint32_t
conn_sndbuf(const struct conn *c)
{
	const struct conn_table *tab = c->tab;
	uint64_t want = (uint64_t)c->tcb.cwnd * tab->sndbuf_mult;

	return want <= tab->sndbuf_min ? tab->sndbuf_min :
	       want >= tab->sndbuf_max ? tab->sndbuf_max : (uint32_t)want;
}

/* Bytes the connection's own budget still takes. */
static inline uint32_t
conn_room(const struct conn *c)
{
	uint32_t sb = conn_sndbuf(c), queued = conn_sndq_bytes(c);

	return queued >= sb ? 0 : sb - queued;
}

/* Follow the send queue's mbuf count into the worker's. */
static inline void
segs_moved(struct conn_table *tab, uint32_t before, uint32_t after)
{
	tab->sndq_segs = tab->sndq_segs + after - before;
	tab->st->sndq_mbufs = tab->sndq_segs;
}

/* --- the queues' pool -------------------------------------------------------------------- */

struct conn_q *
conn_q_get(struct conn_table *tab, struct conn *c)
{
	struct conn_q *q;

	if (c->q != 0)
		return &tab->qs[c->q - 1];
	if (unlikely(tab->nq_free == 0)) {
		tab->st->conn_queues_empty++;
		return NULL;
	}
	c->q = tab->q_free[--tab->nq_free] + 1;
	q = &tab->qs[c->q - 1];
	memset(q, 0, sizeof(*q));
	q->sndq.seq = c->tcb.snd_end;	/* an empty queue starts at the next byte queued */
	tab->st->conn_queues = tab->nq - tab->nq_free;
	return q;
}

void
conn_q_settle(struct conn_table *tab, struct conn *c)
{
	const struct conn_q *q = conn_q_of(c);

	if (q == NULL || q->sndq.head != NULL || q->rcvq != NULL)
		return;
	tab->q_free[tab->nq_free++] = c->q - 1;
	c->q = 0;
	tab->st->conn_queues = tab->nq - tab->nq_free;
}

int
conn_fifo_init(struct conn_fifo *f, uint64_t entries, int socket)
{
	f->mask = 63;
	while (f->mask + 1 < entries)
		f->mask = (f->mask << 1) | 1;
	f->head = f->tail = 0;
	f->q = rte_malloc_socket("tcpe_conn_fifo", sizeof(uint32_t) * (f->mask + 1),
				 RTE_CACHE_LINE_SIZE, socket);
	return f->q != NULL ? 0 : -ENOMEM;
}

/* On the worker's list of records to wake when its send budget has room again. */
static void
block(struct conn_table *tab, struct conn *c)
{
	if (!c->blocked && conn_fifo_push(&tab->blocked, (uint32_t)(c - tab->conns)))
		c->blocked = 1;
}

/* A send of @p want bytes came back with @p got: the application waits for on_writable. */
static void
cut_short(struct conn_table *tab, struct conn *c, uint32_t want, uint32_t got, uint32_t room)
{
	tab->st->send_refused++;
	c->want_write = 1;
	if (got < (want < room ? want : room))
		block(tab, c);	/* the worker's budget, not the connection's, stopped it */
}

uint32_t
tcpe_send(struct tcpe_sock *s, const void *data, uint32_t len)
{
	struct conn *c = conn_of_sock(s);
	struct conn_table *tab = c->tab;
	uint32_t room = conn_room(c), before, n = 0;
	struct conn_q *q;

	if (!tcp_can_send(&c->tcb))
		return 0;
	if (likely(len > 0 && room > 0 && (q = conn_q_get(tab, c)) != NULL)) {
		before = q->sndq.nsegs;
		n = sndq_append(&q->sndq, tab->mp, data, len < room ? len : room,
				conn_budget(tab, c));
		segs_moved(tab, before, q->sndq.nsegs);
		tcp_send_queued(&c->tcb, n);
		conn_q_settle(tab, c);	/* (nothing taken: no queue kept) */
	}
	if (unlikely(n < len))
		cut_short(tab, c, len, n, room);
	return n;
}

uint32_t
tcpe_send_body(struct tcpe_sock *s, uint64_t len64, uint64_t from)
{
	struct conn *c = conn_of_sock(s);
	struct conn_table *tab = c->tab;
	uint32_t room = conn_room(c), before, len, want, n;
	uint8_t *base = tab->body + from % TCPE_BODY_PERIOD;
	struct conn_q *q;

	if (!tcp_can_send(&c->tcb))
		return 0;
	len = len64 > UINT32_MAX ? UINT32_MAX : (uint32_t)len64;
	want = len < room ? len : room;
	if (unlikely(want == 0 || (q = conn_q_get(tab, c)) == NULL)) {
		if (len > 0)
			cut_short(tab, c, len, 0, room);
		return 0;
	}
	before = q->sndq.nsegs;
	/* A small body is cheaper copied behind what is queued (usually the header, one mbuf for
	 * the whole response) than referenced: no second mbuf and no refcount to free at the ACK.
	 * Either way the pattern starts at the phase of @p from; references span whole periods of
	 * the template from there, so every mbuf starts in phase. */
	if (len64 <= SNDQ_COPY_BODY_MAX)
		n = sndq_append(&q->sndq, tab->mp, base, want, conn_budget(tab, c));
	else
		n = sndq_append_ref(&q->sndq, tab->mp, base, tab->body_iova + (base - tab->body),
				    TCPE_BODY_TEMPLATE - TCPE_BODY_PERIOD, &tab->body_shinfo, want,
				    conn_budget(tab, c));
	segs_moved(tab, before, q->sndq.nsegs);
	tcp_send_queued(&c->tcb, n);
	conn_q_settle(tab, c);
	if (unlikely(n < len))
		cut_short(tab, c, len, n, room);
	return n;
}

uint32_t
tcpe_send_space(const struct tcpe_sock *s)
{
	const struct conn *c = (const struct conn *)s;
	const struct conn_table *tab = c->tab;
	uint32_t room = conn_room(c);
	uint64_t segs = (uint64_t)conn_budget(tab, c) * rte_pktmbuf_data_room_size(tab->mp);
	const struct conn_q *q = conn_q_of(c);

	if (q != NULL && q->sndq.tail != NULL && RTE_MBUF_DIRECT(q->sndq.tail))
		segs += rte_pktmbuf_tailroom(q->sndq.tail);
	return !tcp_can_send(&c->tcb) ? 0 : segs < room ? (uint32_t)segs : room;
}

void
conn_sndq_trim(struct conn_table *tab, struct conn *c, uint32_t n)
{
	struct conn_q *q = conn_q_of(c);
	uint32_t before;

	if (q == NULL)
		return;		/* (n is 0: nothing was queued) */
	before = q->sndq.nsegs;
	sndq_trim(&q->sndq, n);
	segs_moved(tab, before, q->sndq.nsegs);
}

void
conn_sndq_free(struct conn_table *tab, struct conn *c)
{
	struct conn_q *q = conn_q_of(c);
	uint32_t before;

	if (q == NULL)
		return;
	before = q->sndq.nsegs;
	sndq_free(&q->sndq);
	q->cur_m = NULL;
	segs_moved(tab, before, 0);
	conn_q_settle(tab, c);
}

/* --- input held for the application ------------------------------------------------------- */

/* Keep @p len bytes at @p data of RX mbuf @p m for the application: the mbuf is trimmed to them
 * and goes to the end of the record's queue. */
static void
hold(struct conn_table *tab, struct conn_q *q, struct rte_mbuf *m, const uint8_t *data,
     uint32_t len)
{
	struct rte_mbuf **at = &q->rcvq;

	m->data_off = (uint16_t)(data - (const uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->next = NULL;
	while (*at != NULL)
		at = &(*at)->next;
	*at = m;
	q->rcvq_bytes += len;
	tab->rcv_held++;
	tab->st->rcv_held = tab->rcv_held;
}

void
conn_rcvq_purge(struct conn_table *tab, struct conn *c)
{
	struct conn_q *q = conn_q_of(c);

	c->fin_held = 0;
	if (q == NULL)
		return;
	while (q->rcvq != NULL) {
		struct rte_mbuf *m = q->rcvq;

		q->rcvq = m->next;
		m->next = NULL;
		rte_pktmbuf_free(m);
		tab->rcv_held--;
	}
	q->rcvq_bytes = 0;
	tab->st->rcv_held = tab->rcv_held;
	conn_q_settle(tab, c);
}

/* The application took less than it was offered: it waits for room to send. With nothing of its
 * own in flight no ACK will wake it, so the worker's list does. */
static void
not_taken(struct conn_table *tab, struct conn *c)
{
	c->want_write = 1;
	if (conn_sndq_bytes(c) == 0)
		block(tab, c);
}

/* --- application time slices ------------------------------------------------------------- */

/* This iteration's time for applications is used up (conn_set_slice()): armed, by the time
 * their on_data calls took; unarmed, by the iteration's wall time. */
static inline bool
slice_over(const struct conn_table *tab)
{
	uint64_t now;

	if (tab->slice_cycles == 0)
		return false;
	if (tab->slice_armed)
		return tab->slice_used >= tab->slice_cycles;
	now = rte_rdtsc();
	return now > tab->slice_start && now - tab->slice_start >= tab->slice_cycles;
}

/* @p app's on_data for @p c, timed into the iteration's slice while the slice is armed. */
static inline uint32_t
app_data(struct conn_table *tab, const struct tcpe_app *app, struct conn *c, const uint8_t *data,
	 uint32_t len)
{
	uint64_t t0;
	uint32_t took;

	if (!tab->slice_armed)
		return app->on_data(sock_of(c), data, len);
	t0 = rte_rdtsc();
	tab->app_t0 = t0;
	took = app->on_data(sock_of(c), data, len);
	tab->slice_used += rte_rdtsc() - t0;
	return took;
}

/* @p c's held input waits for a later slice: on the ready list (once). False when stale entries
 * of released records have filled the list (it is sized for every record that can hold input):
 * the application is offered the input now instead (tcpe_yield() makes sure an application that
 * yielded finds room). */
static bool
defer(struct conn_table *tab, struct conn *c)
{
	if (c->ready)
		return true;
	if (!conn_fifo_push(&tab->ready, (uint32_t)(c - tab->conns)))
		return false;
	c->ready = 1;
	tab->st->app_deferred++;
	return true;
}

static void resume(struct conn_table *tab, struct conn *c, bool now);

enum take_result { TAKEN, KEPT, REFUSED };

/*
 * In-order bytes for the application: given to it, or (what it does not take, everything while
 * it holds input already, and everything once the iteration's time slice is used up) kept for it.
 * With the worker's holding full, what is not taken is refused instead: taken back from the core
 * with the FIN that came after it (@p fin), not ACKed, resent by the peer. Only data from the
 * out-of-order store (@p from_ooo, already accounted for in the receive pool) may be held beyond
 * --rcv-hold-pkts.
 */
static enum take_result
take(struct conn_table *tab, struct conn *c, struct rte_mbuf *m, const uint8_t *data,
     uint32_t len, bool from_ooo, bool fin)
{
	const struct tcpe_app *app = conn_app(c);
	struct conn_q *q = conn_q_of(c);
	bool later = false;

	if (q == NULL || q->rcvq == NULL) {
		uint32_t took;

		/* (an orphan's application has closed: what comes is taken and dropped now) */
		later = tab->slice_armed && app->on_data != NULL && !c->orphan &&
			unlikely(tab->slice_used >= tab->slice_cycles);
		if (!later) {
			c->yielding = 0;
			took = app->on_data != NULL ? app_data(tab, app, c, data, len) : len;
			if (took >= len || conn_gone(c) || c->orphan)
				return TAKEN;	/* or the application closed: no reader for the rest */
			data += took;
			len -= took;
			later = c->yielding;	/* its time is up, not its send budget */
			if (!later)
				not_taken(tab, c);
		}
	}
	if (!from_ooo && tab->rcv_held >= tab->rcv_hold_max &&
	    tcp_rcv_refuse(&tab->tcp, &c->tcb, len, fin)) {
		tab->st->drop[TCPE_DROP_TCP_RCV_FULL]++;
		return REFUSED;
	}
	if (unlikely((q = conn_q_get(tab, c)) == NULL)) {
		/* (never expected: the pool has a queue for every mbuf that can be held) */
		if (tcp_rcv_refuse(&tab->tcp, &c->tcb, len, fin)) {
			tab->st->drop[TCPE_DROP_TCP_RCV_FULL]++;
			return REFUSED;
		}
		tcp_abort(&tab->tcp, &c->tcb);	/* acknowledged already: never lost quietly */
		return TAKEN;
	}
	hold(tab, q, m, data, len);
	if (later && !defer(tab, c))
		resume(tab, c, true);
	return KEPT;
}

/* Offer the held input again, oldest first, then the peer's FIN if it waited behind it. Once the
 * time slice is used up the rest waits for a later one, except (@p now) the first piece. */
static void
resume(struct conn_table *tab, struct conn *c, bool now)
{
	const struct tcpe_app *app = conn_app(c);
	struct conn_q *q;

	while ((q = conn_q_of(c)) != NULL && q->rcvq != NULL && !conn_gone(c)) {
		struct rte_mbuf *m = q->rcvq;
		uint32_t len = rte_pktmbuf_data_len(m);
		uint32_t took;

		if (!now && app->on_data != NULL && slice_over(tab) && defer(tab, c))
			return;
		now = false;
		c->yielding = 0;
		took = app->on_data != NULL ?
		       app_data(tab, app, c, rte_pktmbuf_mtod(m, uint8_t *), len) : len;
		q = conn_q_of(c);
		if (conn_gone(c) || q == NULL || q->rcvq != m)
			return;	/* released, or closed by its application (the queue is gone) */
		if (took < len) {
			rte_pktmbuf_adj(m, (uint16_t)took);
			q->rcvq_bytes -= took;
			if (!c->yielding || !defer(tab, c))
				not_taken(tab, c);
			return;
		}
		q->rcvq = m->next;
		m->next = NULL;
		q->rcvq_bytes -= len;
		tab->rcv_held--;
		tab->st->rcv_held = tab->rcv_held;
		rte_pktmbuf_free(m);
		conn_q_settle(tab, c);
	}
	if (!conn_has_input(c) && c->fin_held && !conn_gone(c)) {
		c->fin_held = 0;
		if (app->on_peer_fin != NULL)
			app->on_peer_fin(sock_of(c));
	}
}

/* Room came back for an application that waited: tell it, then offer what it left. */
static void
writable(struct conn_table *tab, struct conn *c)
{
	const struct tcpe_app *app = conn_app(c);

	c->want_write = 0;
	tab->st->writable_wakes++;
	if (c->accepted && app->on_writable != NULL && !conn_gone(c))
		app->on_writable(sock_of(c));
	if (!c->want_write)
		resume(tab, c, false);
}

bool
conn_resume_ready(struct conn_table *tab, struct conn *c, bool now)
{
	if (!c->in_use || !c->ready)
		return false;	/* released since, or already run */
	c->ready = 0;
	if (!c->want_write)	/* else it waits for room to send: on_writable resumes it */
		resume(tab, c, now);
	return true;
}

bool
conn_slice_over(const struct conn_table *tab)
{
	return slice_over(tab);
}

bool
conn_deliver(struct conn_table *tab, struct conn *c, struct rte_mbuf *m, const uint8_t *payload,
	     const struct tcp_rx *rx, bool from_ooo)
{
	const struct tcpe_app *app = conn_app(c);
	struct tcpe_sock *s = sock_of(c);
	bool kept = false;

	/* An emptied queue record is given back at the end, not at the ACK: a keep-alive request
	 * carries the ACK of the answer before it, and its own answer goes into the same record. */
	if (rx->events & TCP_EV_ACKED) {
		conn_sndq_trim(tab, c, rx->acked);
		if (c->accepted && app->on_acked != NULL)
			app->on_acked(s, rx->acked);
		if (c->want_write && conn_room(c) > 0 && conn_budget(tab, c) > 0 && !conn_gone(c))
			writable(tab, c);
	}
	if ((rx->events & TCP_EV_ESTABLISHED) && !conn_gone(c)) {
		c->accepted = 1;
		if (app->on_accept != NULL)
			app->on_accept(s);
	}
	if ((rx->events & TCP_EV_DATA) && !conn_gone(c)) {
		enum take_result r = take(tab, c, m, payload + rx->data_off, rx->data_len, from_ooo,
					  (rx->events & TCP_EV_PEER_FIN) != 0);

		if (r == REFUSED) {
			conn_q_settle(tab, c);
			return false;	/* and the FIN with it */
		}
		kept = r == KEPT;
	}
	if ((rx->events & TCP_EV_PEER_FIN) && !conn_gone(c)) {
		if (conn_has_input(c))
			c->fin_held = 1;	/* after what the application has not read */
		else if (app->on_peer_fin != NULL)
			app->on_peer_fin(s);
	}
	conn_q_settle(tab, c);
	return kept;
}

void
conn_set_rcv_window(struct conn_table *tab, struct conn *c)
{
	uint32_t wnd = tab->tcp_cfg.rcv_wnd, held = conn_rcvq_bytes(c);

	/* Held input counts against the window (a socket's receive buffer); with the worker's
	 * holding full, a record that holds some already takes nothing more (tcp_in.c: rcv_room). */
	if (held > 0)
		wnd = tab->rcv_held >= tab->rcv_hold_max || held >= wnd ? 0 : wnd - held;
	c->tcb.rcv_wnd = wnd;
}

uint32_t
conn_wake(struct conn_table *tab, struct conn **woken, uint32_t max)
{
	uint32_t n = 0;

	if (max > WAKE_BATCH)
		max = WAKE_BATCH;
	while (n < max && !conn_fifo_empty(&tab->blocked) && budget_left(tab) >= WAKE_ROOM) {
		struct conn *c = &tab->conns[conn_fifo_pop(&tab->blocked)];

		if (!c->in_use || !c->blocked)
			continue;	/* released, or woken by its ACKs meanwhile */
		c->blocked = 0;
		writable(tab, c);
		woken[n++] = c;
	}
	return n;
}

/* --- orphans ---------------------------------------------------------------------------- */

/* Is entry @p e its record still, and the record an orphan? */
static inline struct conn *
orphan_live(struct conn_table *tab, const struct conn_orphan_ent *e)
{
	struct conn *c = &tab->conns[e->idx];

	return c->in_use && c->orphan && c->orphan_gen == e->gen ? c : NULL;
}

/* Sweep the stale entries out of the full list, the live ones keeping their order. */
static void
orphanq_sweep(struct conn_table *tab)
{
	struct conn_orphanq *q = &tab->orphq;
	uint32_t w = q->head, kept = 0;

	for (uint32_t k = 0, r = q->head; k < q->n; k++) {
		if (orphan_live(tab, &q->e[r]) != NULL) {
			q->e[w] = q->e[r];
			w = w + 1 == q->cap ? 0 : w + 1;
			kept++;
		}
		r = r + 1 == q->cap ? 0 : r + 1;
	}
	q->n = kept;
}

/* The application closed @p c: it joins the orphan list (newest last). */
static void
orphan_add(struct conn_table *tab, struct conn *c)
{
	struct conn_orphanq *q = &tab->orphq;

	c->orphan = 1;
	if (++tab->orphan_gen == 0)
		tab->orphan_gen = 1;
	c->orphan_gen = tab->orphan_gen;
	tab->st->orphans = ++tab->norphans;
	if (q->n == q->cap)
		orphanq_sweep(tab);
	if (q->n == q->cap) {
		/* every entry live: more orphans than the list holds (--max-orphans and a quarter;
		 * the worker resets those over the limit each iteration): this one ends by its own
		 * timers, never reset for room */
		tab->st->orphans_unlisted++;
		return;
	}
	q->e[(q->head + q->n) % q->cap] = (struct conn_orphan_ent){
		.idx = (uint32_t)(c - tab->conns), .gen = c->orphan_gen };
	q->n++;
}

void
conn_orphan_remove(struct conn_table *tab, struct conn *c)
{
	if (!c->orphan)
		return;
	c->orphan = 0;		/* its entry, if it has one, is stale now */
	tab->st->orphans = --tab->norphans;
}

struct conn *
conn_oldest_orphan(struct conn_table *tab)
{
	struct conn_orphanq *q = &tab->orphq;

	for (; q->n > 0; q->n--, q->head = q->head + 1 == q->cap ? 0 : q->head + 1) {
		struct conn *c = orphan_live(tab, &q->e[q->head]);

		if (c != NULL)
			return c;
	}
	return NULL;
}

/* --- the rest of app.h ------------------------------------------------------------------ */

void
tcpe_set_idle_ms(struct tcpe_sock *s, uint32_t ms)
{
	struct conn *c = conn_of_sock(s);

	tcp_set_idle(&c->tab->tcp, &c->tcb, ms);
}

struct tcpe_stats *
tcpe_stats(struct tcpe_sock *s)
{
	return conn_of_sock(s)->tab->st;
}

uint64_t
tcpe_now_us(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->tab->tcp.now;
}

int64_t
tcpe_wall_offset_us(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->tab->wall_off_us;
}

void *
tcpe_app_worker(struct tcpe_sock *s)
{
	return conn_of_sock(s)->tab->app_scratch;
}

uint32_t
tcpe_sendq_bytes(const struct tcpe_sock *s)
{
	return conn_sndq_bytes((const struct conn *)s);
}

uint32_t
tcpe_send_budget(const struct tcpe_sock *s)
{
	return conn_sndbuf((const struct conn *)s);
}

bool
tcpe_yield(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);
	struct conn_table *tab = c->tab;
	bool over;

	/* (inside on_data: armed, the running call counts too) */
	if (tab->slice_armed)
		over = tab->slice_used + (rte_rdtsc() - tab->app_t0) >= tab->slice_cycles;
	else
		over = slice_over(tab);
	if (!over || (!c->ready && tab->ready.tail - tab->ready.head > tab->ready.mask))
		return false;
	c->yielding = 1;	/* defer() then finds room */
	return true;
}

void
conn_close(struct conn_table *tab, struct conn *c)
{
	if (conn_app(c)->fin_with_data)
		c->tcb.flags |= TCB_FIN_DATA;
	tcp_close(&tab->tcp, &c->tcb);
	if (!c->orphan && (c->tcb.flags & TCB_FIN_QUEUED))
		orphan_add(tab, c);
	/* the application reads no more: what it left is dropped, and it waits for nothing */
	if (conn_has_input(c))
		conn_rcvq_purge(tab, c);
	c->want_write = 0;
}

void
tcpe_close(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	conn_close(c->tab, c);
}

void
tcpe_abort(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	c->aborted = 1;
	tcp_abort(&c->tab->tcp, &c->tcb);
}

void *
tcpe_app_state(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	RTE_ASSERT(c->tab->app_state != NULL);	/* (only for an application with has_state) */
	return &c->tab->app_state[c - c->tab->conns];
}

void *
tcpe_app_ctx(struct tcpe_sock *s)
{
	struct conn *c = conn_of_sock(s);

	return c->tab->app_ctx[c->app];
}

const struct tcp_tuple *
tcpe_sock_tuple(const struct tcpe_sock *s)
{
	return &((const struct conn *)s)->tcb.tuple;
}

bool
tcpe_sock_time_wait(const struct tcpe_sock *s)
{
	return ((const struct conn *)s)->time_wait;
}

const struct tcpe_app_params *
tcpe_params(const struct tcpe_sock *s)
{
	return &((const struct conn *)s)->tab->params;
}
