/* conn_life.c - the connection table's life cycle: the core's configuration, the tables sized from tcpe's, creation, reset and release. */
#include "conn.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "conn_priv.h"
#include "flow.h"

/* --- life cycle ------------------------------------------------------------------------- */

/* The core's hook for packets it held out of order. */
static void
pkt_free(void *pkt)
{
	rte_pktmbuf_free(pkt);
}

static void
body_never_freed(void *addr, void *opaque)
{
	/* The template lives as long as the table; its base reference is never dropped. */
	(void)addr;
	(void)opaque;
}

/* The core's configuration from tcpe's (units, flags, the smallest window shift). */
static void
tcp_cfg_from(struct tcp_cfg *t, const struct tcpe_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->mss = (uint16_t)cfg->mss;
	t->rcv_wnd = (uint32_t)cfg->rcv_wnd;
	t->features = (uint8_t)((cfg->wscale ? TCB_OPT_WS : 0) | (cfg->timestamps ? TCB_OPT_TS : 0) |
				(cfg->sack ? TCB_OPT_SACK : 0));
	/* The smallest shift that lets the window field carry rcv_wnd (RFC 7323 §2.3). */
	while (t->rcv_ws < 14 && (65535u << t->rcv_ws) < t->rcv_wnd)
		t->rcv_ws++;
	if (!cfg->wscale && t->rcv_wnd > 65535)
		t->rcv_wnd = 65535;
	t->delack_us = (uint32_t)(cfg->delack_ms * 1000);
	t->init_cwnd = (uint8_t)cfg->init_cwnd;
	t->cc = (uint8_t)cfg->cc;
	t->reasm_max_pkts = (uint32_t)cfg->ooo_pkts;
	t->keepalive_us = cfg->keepalive_s * 1000000;
	t->keepalive_intvl_us = cfg->keepalive_intvl_s * 1000000;
	t->keepalive_probes = (uint8_t)cfg->keepalive_probes;
	t->rto_init_us = (uint32_t)(cfg->rto_init_ms * 1000);
	t->rto_min_us = (uint32_t)(cfg->rto_min_ms * 1000);
	t->rto_max_us = (uint32_t)(cfg->rto_max_ms * 1000);
	t->synack_retries = (uint8_t)cfg->synack_retries;
	t->data_retries = (uint8_t)cfg->data_retries;
	t->orphan_retries = (uint8_t)cfg->orphan_retries;
	t->time_wait_us = cfg->time_wait_ms * 1000;
	t->challenge_ack_limit = (uint32_t)cfg->challenge_ack_limit;
	t->fin_wait2_us = cfg->fin_wait2_ms * 1000;
}

/*
 * The key of the timestamp offsets (RFC 7323 §5.4): from this boot's random ID, so that every
 * tcpe process (and worker) gives an address pair the same offset on the same TSC-based clock.
 * A client process that follows another towards the same server then sends timestamps newer
 * than the ones the server's TIME_WAIT entries remember, and its SYNs reopen them (RFC 6191)
 * instead of being taken for old duplicates - with a key per process, half of those SYNs were
 * refused. Off-path peers still cannot tell the offsets; a random key where the ID is unreadable.
 */
static void
ts_key(uint8_t key[16])
{
	char id[64];
	unsigned int n = 0;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f != NULL) {
		if (fgets(id, sizeof(id), f) != NULL)
			for (const char *p = id; *p != '\0' && n < 32; p++) {
				int v = isdigit((unsigned char)*p) ? *p - '0' :
					isxdigit((unsigned char)*p) ? (tolower((unsigned char)*p) - 'a' + 10) : -1;

				if (v < 0)
					continue;
				key[n / 2] = (uint8_t)((n & 1) ? key[n / 2] | v : v << 4);
				n++;
			}
		fclose(f);
	}
	if (n < 32 && getrandom(key, 16, 0) != 16)
		memset(key, 0x5a, 16);
	key[0] ^= 0x74;	/* not the boot ID itself: "ts" */
	key[1] ^= 0x73;
}

/* The records' application state, once an application that keeps some may run (NULL before). */
static int
app_state_alloc(struct conn_table *tab)
{
	if (tab->app_state == NULL)
		tab->app_state = rte_zmalloc_socket("tcpe_app_state", sizeof(struct conn_app_state) *
						    (size_t)tab->nconns, RTE_CACHE_LINE_SIZE,
						    tab->socket);
	return tab->app_state != NULL ? 0 : -ENOMEM;
}

/* What applications read: the configuration values and the body template they reference. */
static int
apps_init(struct conn_table *tab, const struct tcpe_config *cfg, int socket)
{
	static const char pattern[] = TCPE_BODY_PATTERN;
	struct tcpe_app_params *p = &tab->params;
	struct timespec ts;

	for (unsigned int a = 0; a < APP__COUNT; a++)
		tab->apps[a] = apps_get(a);
	for (unsigned int i = 0; i < cfg->nlisten; i++) {
		tab->listen_app[cfg->listen[i].port] = (uint8_t)(cfg->listen[i].app + 1);
		if (tab->apps[cfg->listen[i].app]->has_state && app_state_alloc(tab) != 0)
			return -ENOMEM;
	}
	p->greeting = cfg->greeting;
	p->greeting_len = (uint32_t)strlen(cfg->greeting);
	p->http_body = cfg->http_body;
	p->http_max_bytes = cfg->http_max_bytes;
	p->http_max_header = (uint32_t)cfg->http_max_header;
	p->http_idle_ms = (uint32_t)cfg->http_idle_ms;
	p->http_work_cycles = cfg->http_work_ns * rte_get_tsc_hz() / 1000000000;
	p->idle_ms = (uint32_t)cfg->idle_ms;
	p->bulk_bytes = cfg->bulk_bytes;
	p->sndbuf = (uint32_t)cfg->sndbuf;
	tab->sndbuf_min = (uint32_t)cfg->sndbuf;
	tab->sndbuf_max = (uint32_t)(cfg->sndbuf_max > cfg->sndbuf ? cfg->sndbuf_max : cfg->sndbuf);
	tab->sndbuf_mult = cfg->cc == TCP_CC_BBR ? 8 : 6;	/* (conn_app.c: conn_sndbuf()) */
	tab->body = rte_malloc_socket("tcpe_body", TCPE_BODY_TEMPLATE, RTE_CACHE_LINE_SIZE, socket);
	if (tab->body == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < TCPE_BODY_TEMPLATE; i++)
		tab->body[i] = (uint8_t)pattern[i % TCPE_BODY_PERIOD];
	tab->body_iova = rte_malloc_virt2iova(tab->body);
	if (body_sums_init(&tab->body_sums, tab->body, TCPE_BODY_TEMPLATE, TCPE_BODY_PERIOD) != 0)
		return -EINVAL;
	tab->body_shinfo.free_cb = body_never_freed;
	tab->body_shinfo.fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(&tab->body_shinfo, 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	tab->wall_off_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - (int64_t)tab->tcp.now;
	return 0;
}

/* What rare states of records need beside them: the orphan list (struct conn_orphanq:
 * --max-orphans and a quarter, at most one per record) and, with --trace, trace numbers.
 * @return 0 or -ENOMEM. */
static int
beside_alloc(struct conn_table *tab, const struct tcpe_config *cfg, int socket)
{
	uint64_t cap = cfg->max_orphans + cfg->max_orphans / 4 + 1024;

	if (cfg->trace > 0 &&
	    (tab->trace_ids = rte_malloc_socket("tcpe_trace_ids", sizeof(uint32_t) * tab->nconns,
						0, socket)) == NULL)
		return -ENOMEM;
	tab->orphq.cap = (uint32_t)RTE_MIN(cap, (uint64_t)tab->nconns);
	tab->orphq.head = tab->orphq.n = 0;
	tab->orphq.e = rte_malloc_socket("tcpe_orphans",
					 sizeof(struct conn_orphan_ent) * tab->orphq.cap, 0, socket);
	return tab->orphq.e != NULL ? 0 : -ENOMEM;
}

/*
 * The records' queues (struct conn_q): a record holds one only while its send queue or its input
 * held for the application is not empty, and each such queue holds an mbuf at least - the worker's
 * send budget, the input it may hold (--rcv-hold-pkts, and beyond it only what came out of order:
 * --ooo-pkts) - so that many cover every case, however many records there are.
 */
static int
queues_alloc(struct conn_table *tab, const struct tcpe_config *cfg, int socket)
{
	uint64_t n = (uint64_t)tab->data_budget + cfg->rcv_hold_pkts + cfg->ooo_pkts + 64;

	tab->nq = n < tab->nconns ? (uint32_t)n : tab->nconns;
	tab->qs = rte_malloc_socket("tcpe_conn_q", sizeof(struct conn_q) * tab->nq,
				    RTE_CACHE_LINE_SIZE, socket);
	tab->q_free = rte_malloc_socket("tcpe_q_free", sizeof(uint32_t) * tab->nq, 0, socket);
	if (tab->qs == NULL || tab->q_free == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < tab->nq; i++)
		tab->q_free[i] = tab->nq - 1 - i;	/* pop order 0, 1, 2... */
	tab->nq_free = tab->nq;
	return 0;
}

/* The congestion control's per-connection states, when it keeps any (CUBIC, BBR). */
static int
cc_pools_alloc(struct conn_table *tab, const struct tcpe_config *cfg, int socket)
{
	if (cfg->cc == TCP_CC_CUBIC) {
		/* one state per connection that has reduced its window once, for one in eight
		 * records (beyond: NewReno's response, counted as cubic_fallbacks) */
		tab->ncubic = tab->nconns / 8 + 64;
		tab->cubics = rte_malloc_socket("tcpe_cubic", sizeof(struct tcp_cubic) * tab->ncubic,
						RTE_CACHE_LINE_SIZE, socket);
		if (tab->cubics == NULL)
			return -ENOMEM;
	}
	if (cfg->cc == TCP_CC_BBR) {
		/* one model per connection that sends, up to CONN_BBR_MAX */
		tab->nbbr = tab->nconns < CONN_BBR_MAX ? tab->nconns : CONN_BBR_MAX;
		tab->bbrs = rte_zmalloc_socket("tcpe_bbr", sizeof(struct tcp_bbr) * tab->nbbr,
					       RTE_CACHE_LINE_SIZE, socket);
		if (tab->bbrs == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* The tables sized by the configuration: records, flow table, TIME_WAIT ring, queues. */
static int
tables_alloc(struct conn_table *tab, const struct tcpe_config *cfg, unsigned int index, int socket)
{
	char name[32];
	uint32_t ntw = 16, ndack = 1;
	struct tcp_dack_ent *dack;

	tab->nconns = (uint32_t)cfg->max_conns;
	while (ntw < cfg->time_wait_max)
		ntw <<= 1;
	/* Records owing a delayed ACK at once: those that received data in the last --delack-ms,
	 * plus entries gone stale (the ACK left with data). Twice the records, at most 128 Ki
	 * (2 MiB); when it is full an ACK leaves at once (delack_queue_full). */
	while (ndack < 2 * tab->nconns && ndack < CONN_DACK_MAX)
		ndack <<= 1;
	/* Out-of-order queues (12 KiB each: REASM_SEGS): one per 16 held packets is plenty (most
	 * holes are one segment); when none is left, the one that progressed longest ago gives way. */
	tab->nreasm = (uint32_t)(cfg->ooo_pkts / 16 + 16);
	/* one per 16 records, at most CONN_SB_MAX: enough for every connection recovering at once
	 * on a lossy path (beyond, a connection recovers as NewReno: sack_pool_empty) */
	tab->nsb = (uint32_t)RTE_MIN(cfg->max_conns / 16 + 16, (uint64_t)CONN_SB_MAX);
	tab->conns = rte_zmalloc_socket("tcpe_conns", sizeof(struct conn) * tab->nconns,
					RTE_CACHE_LINE_SIZE, socket);
	if (queues_alloc(tab, cfg, socket) != 0 || beside_alloc(tab, cfg, socket) != 0)
		return -ENOMEM;
	for (unsigned int p = 0; p < TCPE_MAX_PORTS; p++)
		if (!config_ip6_none(cfg->ports[p].ip6) && tab->raddr6 == NULL &&
		    (tab->raddr6 = rte_malloc_socket("tcpe_raddr6", 16 * (size_t)tab->nconns, 0,
						     socket)) == NULL)
			return -ENOMEM;
	tab->tw.e = rte_malloc_socket("tcpe_tw", sizeof(struct tcp_tw) * ntw, RTE_CACHE_LINE_SIZE,
				      socket);
	if (tab->conns != NULL && tab->tw.e != NULL) {
		/* keys are the records' and the TIME_WAIT entries' own tuples */
		const struct flow_space spaces[2] = {
			{ tab->conns, sizeof(struct conn), offsetof(struct conn, tcb.tuple),
			  tab->nconns },
			{ tab->tw.e, sizeof(struct tcp_tw), offsetof(struct tcp_tw, tuple), ntw },
		};

		snprintf(name, sizeof(name), "tcpe_flow_%u", index);
		tab->flow_seed = (uint32_t)rte_rand();	/* per table, unknown to peers */
		tab->flows = flow_create(name, tab->nconns + ntw, tab->flow_seed, socket, spaces);
	}
	tab->sbs = rte_zmalloc_socket("tcpe_sack", sizeof(struct scoreboard) * tab->nsb,
				      RTE_CACHE_LINE_SIZE, socket);
	if (cc_pools_alloc(tab, cfg, socket) != 0)
		return -ENOMEM;
	tab->reasm = rte_zmalloc_socket("tcpe_reasm", sizeof(struct reasm) * tab->nreasm,
					RTE_CACHE_LINE_SIZE, socket);
	dack = rte_malloc_socket("tcpe_dack", sizeof(*dack) * ndack, RTE_CACHE_LINE_SIZE, socket);
	tab->dack.q = dack;
	if (tab->conns == NULL || tab->flows == NULL || tab->tw.e == NULL ||
	    tab->reasm == NULL || tab->sbs == NULL || dack == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < tab->nconns; i++)
		tab->conns[i].tcb.iss = i + 1 < tab->nconns ? i + 2 : 0;	/* taken 0, 1, 2... */
	tab->free_head = tab->nconns > 0 ? 1 : 0;
	tab->nfree = tab->nconns;
	tcp_reasm_pool_init(&tab->tcp, tab->reasm, tab->nreasm);
	tcp_sb_pool_init(&tab->tcp, tab->sbs, tab->nsb);
	tcp_bbr_pool_init(&tab->tcp, tab->bbrs, tab->nbbr);
	tcp_cubic_pool_init(&tab->tcp, tab->cubics, tab->ncubic);
	tcp_tw_init(&tab->tw, tab->tw.e, ntw);
	tab->tw.key = conn_tw_key;
	tab->tw.key_prefetch = conn_tw_key_prefetch;
	tab->tw.key_arg = tab;
	tcp_dack_init(&tab->tcp, &tab->dack, dack, ndack);
	/* The lists have room for the records that can be on them and for stale entries of those
	 * released (or woken otherwise) while listed; a list that is full leaves a record to its
	 * own timer. Any record may wait for send budget: room for 1.5 times the records. A record
	 * waiting for transmit room has queued data (a queue record): twice those. A record
	 * waiting for a time slice holds input: at most --rcv-hold-pkts of them, plus what came out
	 * of order (conn_app.c: defer()); twice that. */
	if (conn_fifo_init(&tab->blocked, (uint64_t)tab->nconns * 3 / 2, socket) != 0 ||
	    conn_fifo_init(&tab->txwait, 2 * (uint64_t)tab->nq, socket) != 0 ||
	    conn_fifo_init(&tab->ready, 2 * RTE_MIN((uint64_t)tab->nconns,
						    cfg->rcv_hold_pkts + cfg->ooo_pkts), socket) != 0)
		return -ENOMEM;
	return 0;
}

/* Timers start at the table's clock; everything is empty. The records' links share one space,
 * the BBR models' another. @return 0, or -EINVAL (a timeout the FIFOs cannot hold). */
static int
timers_init(struct conn_table *tab)
{
	struct tmr_space recs, models;

	tmr_space_init(&recs, &tab->conns[0].tcb.timer, sizeof(struct conn));
	tmr_space_init(&models, tab->bbrs != NULL ? &tab->bbrs[0].pace : NULL,
		       sizeof(struct tcp_bbr));
	if (tmr_wheel_init(&tab->tcp.wheel, tab->wheel_slots, CONN_WHEEL_SLOTS, 10, tab->tcp.now,
			   &recs) != 0 ||
	    tmr_wheel_init(&tab->tcp.pace_wheel, tab->pace_slots, CONN_PACE_SLOTS,
			   BBR_PACE_TICK_SHIFT, tab->tcp.now, &models) != 0 ||
	    tmr_fifo_init(&tab->tcp.time_wait, tab->tcp_cfg.time_wait_us, &recs) != 0 ||
	    tmr_fifo_init(&tab->tcp.fin_wait2, tab->tcp_cfg.fin_wait2_us, &recs) != 0)
		return -EINVAL;
	return 0;
}

struct conn_table *
conn_table_create(const struct tcpe_config *cfg, const struct conn_env *env)
{
	struct conn_table *tab = rte_zmalloc_socket("tcpe_conn_table", sizeof(*tab),
						    RTE_CACHE_LINE_SIZE, env->socket);

	if (tab == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	tab->cfg = cfg;
	tab->mp = env->mp;
	tab->st = env->st;
	tab->hooks = env->hooks;
	tab->tx = env->tx;
	tab->nports = env->nports;
	tab->index = (uint16_t)env->index;
	tab->lcore = env->lcore;
	tab->socket = env->socket;
	tab->trace_ring = env->trace_ring;
	tab->tcp.now = env->now_us;
	tab->data_budget = env->data_budget != 0 ? env->data_budget : UINT32_MAX;
	tab->rcv_hold_max = (uint32_t)cfg->rcv_hold_pkts;
	tab->slice_cycles = cfg->app_slice_us * rte_get_tsc_hz() / 1000000;
	tab->slice_start = UINT64_MAX;	/* no iteration yet: no limit (conn_set_slice()) */
	tab->slice_used = 0;
	tcp_cfg_from(&tab->tcp_cfg, cfg);
	/* RFC 6528 secret: per worker is enough, a connection never changes worker. */
	if (getrandom(tab->tcp_cfg.isn_key, sizeof(tab->tcp_cfg.isn_key), 0) !=
	    (ssize_t)sizeof(tab->tcp_cfg.isn_key)) {
		conn_table_destroy(tab);
		rte_errno = EIO;
		return NULL;
	}
	ts_key(tab->tcp_cfg.ts_key);
	tab->tcp.cfg = &tab->tcp_cfg;
	tab->tcp.st = env->st;
	tab->tcp.ts_cache = tab->ts_cache;
	tab->tcp.outq = &tab->outq;
	tab->tcp.pkt_free = pkt_free;
	if (tables_alloc(tab, cfg, env->index, env->socket) != 0 ||
	    apps_init(tab, cfg, env->socket) != 0) {
		conn_table_destroy(tab);
		rte_errno = ENOMEM;
		return NULL;
	}
	if (timers_init(tab) != 0) {
		conn_table_destroy(tab);
		rte_errno = EINVAL;
		return NULL;
	}
	return tab;
}

int
conn_set_app(struct conn_table *tab, unsigned int id, const struct tcpe_app *app)
{
	if (id >= CONN_APP_MAX)
		return -EINVAL;
	if (app->has_state && app_state_alloc(tab) != 0)
		return -ENOMEM;
	tab->apps[id] = app;
	return 0;
}

void
conn_set_app_ctx(struct conn_table *tab, unsigned int app, void *ctx)
{
	if (app < CONN_APP_MAX)
		tab->app_ctx[app] = ctx;
}

/* Release every record (at shutdown or reset): applications are told, nothing is sent. */
static void
release_all(struct conn_table *tab)
{
	tab->outq.n = 0;	/* decided but never to be sent */
	for (uint32_t i = 0; i < tab->nconns; i++)
		if (tab->conns[i].in_use)
			conn_free(tab, &tab->conns[i], true, true);
}

void
conn_table_reset(struct conn_table *tab)
{
	release_all(tab);
	tcp_tw_init(&tab->tw, tab->tw.e, tab->tw.mask + 1);	/* every entry gone, and its key: */
	flow_reset(tab->flows);
	tab->dack.head = tab->dack.tail = 0;
	tcp_reasm_pool_init(&tab->tcp, tab->reasm, tab->nreasm);
	tcp_sb_pool_init(&tab->tcp, tab->sbs, tab->nsb);
	tcp_bbr_pool_init(&tab->tcp, tab->bbrs, tab->nbbr);
	tcp_cubic_pool_init(&tab->tcp, tab->cubics, tab->ncubic);
	(void)timers_init(tab);		/* it took these timeouts at creation */
	tab->tcp.chack_second = 0;
	tab->cookie_sent_us = 0;
	tab->blocked.head = tab->blocked.tail = 0;
	tab->txwait.head = tab->txwait.tail = 0;
	tab->ready.head = tab->ready.tail = 0;
	tab->orphq.head = tab->orphq.n = 0;
	tab->slice_armed = false;
	tab->traced = 0;
	memset(tab->ts_cache, 0, sizeof(tab->ts_cache));
	memset(tab->app_scratch, 0, sizeof(tab->app_scratch));
	memset(tab->st, 0, sizeof(*tab->st));
}

void
conn_table_destroy(struct conn_table *tab)
{
	if (tab == NULL)
		return;
	if (tab->conns != NULL && tab->flows != NULL)
		release_all(tab);
	rte_free(tab->body);
	flow_free(tab->flows);
	rte_free(tab->trace_ids);
	rte_free(tab->orphq.e);
	rte_free(tab->conns);
	rte_free(tab->qs);
	rte_free(tab->app_state);
	rte_free(tab->q_free);
	rte_free(tab->raddr6);
	rte_free(tab->reasm);
	rte_free(tab->sbs);
	rte_free(tab->bbrs);
	rte_free(tab->cubics);
	rte_free(tab->tw.e);
	rte_free(tab->dack.q);
	rte_free(tab->blocked.q);
	rte_free(tab->txwait.q);
	rte_free(tab->ready.q);
	rte_free(tab);
}
