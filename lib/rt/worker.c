/* worker.c - the poll-mode loop: rx burst -> classify -> bulk flow lookup -> TCP -> timers -> tx flush. */
#include "worker.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "apps.h"
#include "flow.h"
#include "rss.h"
#include "icmp.h"
#include "tcp.h"

#define PREFETCH_AHEAD 3

void
worker_tx_flush(struct worker *w, struct wport *p)
{
	uint16_t n = p->ntx, sent;
	uint64_t bytes = 0;

	if (n == 0)
		return;
	w->st.tx_flushes++;
	w->st.tx_flush_pkts += n;
	sent = rte_eth_tx_burst(p->port_id, p->queue, p->txb, n);
	/* lengths were noted at enqueue: the PMD may have freed what it took already */
	for (uint16_t i = 0; i < sent; i++)
		bytes += p->txlen[i];
	w->st.tx_pkts += sent;
	w->st.tx_bytes += bytes;
	/* What the queue refused waits for the next flush (a full ring drains in microseconds);
	 * only a packet that finds the buffer still full is dropped, in worker_tx(). */
	if (sent < n) {
		/* counted once each: the first p->ndefer were refused before */
		uint16_t before = p->ndefer > sent ? (uint16_t)(p->ndefer - sent) : 0;

		w->st.tx_deferred += (uint16_t)(n - sent) - before;
		memmove(p->txb, p->txb + sent, (size_t)(n - sent) * sizeof(p->txb[0]));
		memmove(p->txlen, p->txlen + sent, (size_t)(n - sent) * sizeof(p->txlen[0]));
	}
	p->ntx = (uint16_t)(n - sent);
	p->ndefer = p->ntx;
}

void
worker_tx(struct worker *w, struct wport *p, struct rte_mbuf *m)
{
	if (p->ntx == WORKER_TX_BUF) {
		worker_tx_flush(w, p);
		if (p->ntx == WORKER_TX_BUF) {
			worker_drop(w, m, TCPE_DROP_TX_FULL);
			return;
		}
	}
	p->txlen[p->ntx] = (uint16_t)rte_pktmbuf_pkt_len(m);
	p->txb[p->ntx++] = m;
	if (p->ntx == WORKER_TX_BUF)
		worker_tx_flush(w, p);
}

static inline uint64_t
now_us(const struct worker *w)
{
	return (uint64_t)(((unsigned __int128)rte_rdtsc() * w->tsc_mult) >> 32);
}

static void
arp_input(struct worker *w, struct wport *p, struct rte_mbuf *m, struct pkt_info *pi)
{
	struct rte_arp_ipv4 *d = &pi->arp->arp_data;
	struct rte_mbuf *released[ARP_HOLD_MAX];
	unsigned int n = 0;

	w->st.arp_rx++;
	/* Learn the sender from requests and replies alike when it is on our subnet (RFC 826). */
	if (d->arp_sip != 0 && ((d->arp_sip ^ p->addr.ip) & p->addr.mask) == 0)
		n = arp_learn(&w->arp, d->arp_sip, &d->arp_sha, w->tcp.now, released);
	for (unsigned int i = 0; i < n; i++)
		worker_tx(w, p, released[i]);
	if (pi->arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY)) {
		rte_pktmbuf_free(m);	/* consumed: its content was learned */
		return;
	}
	if (pi->arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST)) {
		worker_drop(w, m, TCPE_DROP_ARP_OP);
		return;
	}
	if (!arp_reply_in_place(m, pi, &p->addr)) {
		worker_drop(w, m, TCPE_DROP_ARP_NOT_FOR_US);
		return;
	}
	w->st.arp_tx++;
	worker_tx(w, p, m);
}

unsigned int
worker_owner(const struct worker *w, const struct tcp_tuple *key)
{
	/* The symmetric key makes hash(a->b) == hash(b->a): both directions find one owner. */
	uint32_t h = rss_hash_v4_tcp(rss_symmetric_key, key->raddr, key->laddr, key->rport,
				     key->lport);

	return w->steer_reta[h & w->steer_mask];
}

/* A segment that arrived on our queue but belongs to another worker: hand it over. */
static bool
steer_away(struct worker *w, struct rte_mbuf *m, const struct pkt_info *pi)
{
	unsigned int owner = worker_owner(w, &pi->key);

	if (owner == w->index)
		return false;
	if (rte_ring_sp_enqueue(w->steer_out[owner], m) != 0)
		worker_drop(w, m, TCPE_DROP_STEER_FULL);
	else
		w->st.steered_out++;
	return true;
}

/* Input from a port, or (@p steered) handed over by another worker, already ours. */
static void
input(struct worker *w, struct wport *p, struct rte_mbuf **pkts, uint16_t n, bool steered);

void
worker_input(struct worker *w, struct wport *p, struct rte_mbuf **pkts, uint16_t n)
{
	input(w, p, pkts, n, false);
}

static void
input(struct worker *w, struct wport *p, struct rte_mbuf **pkts, uint16_t n, bool steered)
{
	struct pkt_info pi[WORKER_BURST];
	const struct tcp_tuple *keys[WORKER_BURST];
	void *found[WORKER_BURST];
	uint16_t tcp_at[WORKER_BURST];
	unsigned int ntcp = 0;

	for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t reason;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (steered) {
			w->st.steered_in++;
		} else {
			w->st.rx_pkts++;
			w->st.rx_bytes += rte_pktmbuf_pkt_len(m);
		}
		switch (pkt_parse(&p->addr, m, &pi[i], &reason)) {
		case PKT_TCP:
			if (w->steer && !steered && steer_away(w, m, &pi[i]))
				break;
			keys[ntcp] = &pi[i].key;
			tcp_at[ntcp++] = i;
			break;
		case PKT_ARP:
			arp_input(w, p, m, &pi[i]);
			break;
		case PKT_ICMP:
			w->st.icmp_rx++;
			icmp_echo_reply_in_place(m, &pi[i], &p->tx);
			w->st.icmp_tx++;
			worker_tx(w, p, m);
			break;
		default:
			worker_drop(w, m, reason);
			break;
		}
	}
	flow_lookup_bulk(w->flows, keys, ntcp, found);
	w->churn = false;
	for (unsigned int j = 0; j < ntcp; j++) {
		struct pkt_info *info = &pi[tcp_at[j]];
		void *ref = found[j];

		/* A record created or freed earlier in this burst may make the bulk answer stale. */
		if (w->churn && !stack_ref_valid(ref, &info->key))
			ref = flow_lookup(w->flows, &info->key);
		stack_tcp_input(w, p, pkts[tcp_at[j]], info, ref);
	}
}

static inline struct conn *
conn_of_timer(struct tmr_link *l)
{
	struct tcb *t = container_of(l, struct tcb, timer);

	return container_of(t, struct conn, tcb);
}

static void
run_timers(struct worker *w)
{
	struct tmr_link *due[WORKER_TIMER_BATCH];
	unsigned int n;

	n = tmr_wheel_expire(&w->tcp.wheel, w->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		stack_timer(w, conn_of_timer(due[i]));
	n = tmr_fifo_expire(&w->tcp.time_wait, w->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		stack_timer(w, conn_of_timer(due[i]));
	n = tmr_fifo_expire(&w->tcp.fin_wait2, w->tcp.now, due, RTE_DIM(due));
	for (unsigned int i = 0; i < n; i++)
		stack_timer(w, conn_of_timer(due[i]));
	if (tcp_tw_expire(&w->tcp, &w->tw, WORKER_TIMER_BATCH) > 0)
		w->churn = true;
}

/* Segments other workers handed to us, grouped by the port they arrived on. */
static bool
steer_drain(struct worker *w)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	bool any = false;

	for (uint16_t j = 0; j < w->nworkers; j++) {
		unsigned int n, at = 0;

		if (w->steer_in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->steer_in[j], (void **)pkts, WORKER_BURST, NULL);
		while (at < n) {
			unsigned int k = at + 1;
			struct wport *p = NULL;

			while (k < n && pkts[k]->port == pkts[at]->port)
				k++;
			for (uint16_t i = 0; i < w->nports; i++)
				if (w->ports[i].port_id == pkts[at]->port)
					p = &w->ports[i];
			if (p == NULL) {
				for (unsigned int d = at; d < k; d++)
					worker_drop(w, pkts[d], TCPE_DROP_STEER_FULL);
			} else {
				input(w, p, pkts + at, (uint16_t)(k - at), true);
			}
			at = k;
		}
		any |= n > 0;
	}
	return any;
}

static void
announce(struct worker *w)
{
	/* A gratuitous ARP per port (RFC 5227 §3) so neighbours learn us before the first SYN. */
	for (uint16_t i = 0; i < w->nports; i++) {
		struct rte_mbuf *m = arp_request(w->mp, &w->ports[i].addr, w->ports[i].addr.ip);

		if (m == NULL) {
			w->st.drop[TCPE_DROP_NO_MBUF]++;
			continue;
		}
		w->st.arp_tx++;
		worker_tx(w, &w->ports[i], m);
	}
}

int
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[WORKER_BURST];

	w->tcp.now = now_us(w);
	if (w->index == 0)
		announce(w);
	while (!w->stop) {
		bool busy = false;

		w->tcp.now = now_us(w);	/* read once per iteration, passed down */
		w->st.loops++;
		for (uint16_t i = 0; i < w->nports; i++) {
			struct wport *p = &w->ports[i];
			uint16_t n = rte_eth_rx_burst(p->port_id, p->queue, pkts, WORKER_BURST);

			if (n == 0)
				continue;
			busy = true;
			worker_input(w, p, pkts, n);
		}
		if (w->steer)
			busy |= steer_drain(w);
		if (w->client.on)
			busy |= client_tick(w);
		run_timers(w);
		tcp_dack_run(&w->tcp);
		for (uint16_t i = 0; i < w->nports; i++)
			worker_tx_flush(w, &w->ports[i]);
		if (busy) {
			/* Busy share = time in iterations that had packets / wall time. */
			w->st.busy_loops++;
			w->st.busy_us += now_us(w) - w->tcp.now;
		}
	}
	return 0;
}

static void
body_never_freed(void *addr, void *opaque)
{
	/* The template lives as long as the worker; its base reference is never dropped. */
	(void)addr;
	(void)opaque;
}

/* The body template referenced by tcpe_send_body(), and the wall-clock offset. */
static int
body_template_init(struct worker *w, int socket)
{
	static const char pattern[] = "0123456789abcdefghijklmnopqrstuv";
	struct timespec ts;

	w->body = rte_malloc_socket("tcpe_body", TCPE_BODY_TEMPLATE, RTE_CACHE_LINE_SIZE, socket);
	if (w->body == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < TCPE_BODY_TEMPLATE; i++)
		w->body[i] = (uint8_t)pattern[i % 32];
	w->body_shinfo.free_cb = body_never_freed;
	w->body_shinfo.fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(&w->body_shinfo, 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	w->wall_off_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - (int64_t)w->tcp.now;
	return 0;
}

struct worker *
worker_create(unsigned int index, unsigned int lcore, const struct tcpe_config *cfg,
	      struct rte_mempool *mp, struct rte_ring *trace_ring)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct worker *w = rte_zmalloc_socket("tcpe_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
					      socket);
	char name[RTE_HASH_NAMESIZE];
	struct tcp_dack_ent *dack;
	uint32_t nreasm, ndack, ntw;

	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->index = (uint16_t)index;
	w->lcore = lcore;
	w->cfg = cfg;
	w->mp = mp;
	w->trace_ring = trace_ring;
	w->nconns = (uint32_t)cfg->max_conns;
	w->tsc_mult = (uint64_t)(((unsigned __int128)1000000 << 32) / rte_get_tsc_hz());
	w->conns = rte_zmalloc_socket("tcpe_conns", sizeof(struct conn) * w->nconns,
				      RTE_CACHE_LINE_SIZE, socket);
	w->free_idx = rte_malloc_socket("tcpe_free", sizeof(uint32_t) * w->nconns, 0, socket);
	snprintf(name, sizeof(name), "tcpe_flow_%u", index);
	ntw = 16;
	while (ntw < cfg->time_wait_max)
		ntw <<= 1;
	w->flows = flow_create(name, w->nconns + ntw, socket);
	w->tw.e = rte_malloc_socket("tcpe_tw", sizeof(struct tcp_tw) * ntw, RTE_CACHE_LINE_SIZE,
				    socket);
	if (w->conns == NULL || w->free_idx == NULL || w->flows == NULL || w->tw.e == NULL) {
		worker_destroy(w);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < w->nconns; i++)
		w->free_idx[i] = w->nconns - 1 - i;	/* pop order 0, 1, 2... */
	w->nfree = w->nconns;
	for (unsigned int i = 0; i < cfg->nlisten; i++)
		w->listen_app[cfg->listen[i].port] = (uint8_t)(cfg->listen[i].app + 1);
	w->params.greeting = cfg->greeting;
	w->params.greeting_len = (uint32_t)strlen(cfg->greeting);
	w->params.http_body = cfg->http_body;
	w->params.http_max_bytes = cfg->http_max_bytes;
	w->params.http_max_header = (uint32_t)cfg->http_max_header;
	w->params.http_idle_ms = (uint32_t)cfg->http_idle_ms;
	w->params.bulk_bytes = cfg->bulk_bytes;

	w->tcp_cfg.mss = (uint16_t)cfg->mss;
	w->tcp_cfg.rcv_wnd = (uint32_t)cfg->rcv_wnd;
	w->tcp_cfg.features = (uint8_t)((cfg->wscale ? TCB_OPT_WS : 0) |
					(cfg->timestamps ? TCB_OPT_TS : 0) | (cfg->sack ? TCB_OPT_SACK : 0));
	/* The smallest shift that lets the window field carry rcv_wnd (RFC 7323 §2.3). */
	while (w->tcp_cfg.rcv_ws < 14 && (65535u << w->tcp_cfg.rcv_ws) < w->tcp_cfg.rcv_wnd)
		w->tcp_cfg.rcv_ws++;
	if (!cfg->wscale && w->tcp_cfg.rcv_wnd > 65535)
		w->tcp_cfg.rcv_wnd = 65535;
	w->tcp_cfg.delack_us = (uint32_t)(cfg->delack_ms * 1000);
	w->tcp_cfg.init_cwnd = (uint8_t)cfg->init_cwnd;
	w->tcp_cfg.cc = strcmp(cfg->cc, "cubic") == 0 ? TCP_CC_CUBIC : TCP_CC_NEWRENO;
	w->tcp_cfg.reasm_max_pkts = (uint32_t)cfg->ooo_pkts;
	w->tcp_cfg.keepalive_us = (uint32_t)(cfg->keepalive_s * 1000000);
	w->tcp_cfg.keepalive_intvl_us = (uint32_t)(cfg->keepalive_intvl_s * 1000000);
	w->tcp_cfg.keepalive_probes = (uint8_t)cfg->keepalive_probes;
	w->tcp_cfg.rto_init_us = (uint32_t)(cfg->rto_init_ms * 1000);
	w->tcp_cfg.rto_min_us = (uint32_t)(cfg->rto_min_ms * 1000);
	w->tcp_cfg.rto_max_us = (uint32_t)(cfg->rto_max_ms * 1000);
	w->tcp_cfg.synack_retries = (uint8_t)cfg->synack_retries;
	w->tcp_cfg.data_retries = (uint8_t)cfg->data_retries;
	w->tcp_cfg.time_wait_us = cfg->time_wait_ms * 1000;
	w->tcp_cfg.challenge_ack_limit = (uint32_t)cfg->challenge_ack_limit;
	w->tcp_cfg.fin_wait2_us = cfg->fin_wait2_ms * 1000;
	/* RFC 6528 secret: per worker is enough, a connection never changes worker. */
	if (getrandom(w->tcp_cfg.isn_key, sizeof(w->tcp_cfg.isn_key), 0) !=
	    (ssize_t)sizeof(w->tcp_cfg.isn_key)) {
		worker_destroy(w);
		rte_errno = EIO;
		return NULL;
	}
	w->tcp.cfg = &w->tcp_cfg;
	w->tcp.st = &w->st;
	w->tcp.emit = stack_emit;
	w->tcp.ts_cache = w->ts_cache;
	w->tcp.emit_arg = w;
	w->tcp.pkt_free = stack_pkt_free;
	/* Out-of-order queues: one per 8 held packets is plenty (most holes are one segment). */
	nreasm = (uint32_t)(cfg->ooo_pkts / 8 + 16);
	ndack = 1;
	while (ndack < 2 * w->nconns)
		ndack <<= 1;
	w->reasm = rte_zmalloc_socket("tcpe_reasm", sizeof(struct reasm) * nreasm,
				      RTE_CACHE_LINE_SIZE, socket);
	dack = rte_malloc_socket("tcpe_dack", sizeof(*dack) * ndack, RTE_CACHE_LINE_SIZE, socket);
	w->dack.q = dack;
	if (w->reasm == NULL || dack == NULL) {
		worker_destroy(w);
		rte_errno = ENOMEM;
		return NULL;
	}
	tcp_reasm_pool_init(&w->tcp, w->reasm, nreasm);
	tcp_tw_init(&w->tw, w->tw.e, ntw);
	w->tw.key = stack_tw_key;
	w->tw.key_arg = w;
	tcp_dack_init(&w->tcp, &w->dack, dack, ndack);
	w->tcp.now = now_us(w);
	tmr_wheel_init(&w->tcp.wheel, w->wheel_slots, WORKER_WHEEL_SLOTS, 10, w->tcp.now);
	tmr_fifo_init(&w->tcp.time_wait, w->tcp_cfg.time_wait_us);
	tmr_fifo_init(&w->tcp.fin_wait2, w->tcp_cfg.fin_wait2_us);
	arp_cache_init(&w->arp, 300ULL * 1000000, 1000000);
	if (body_template_init(w, socket) != 0) {
		worker_destroy(w);
		rte_errno = ENOMEM;
		return NULL;
	}
	return w;
}

void
worker_destroy(struct worker *w)
{
	if (w == NULL)
		return;
	if (w->conns != NULL && w->flows != NULL)
		stack_release_all(w);
	rte_free(w->client.port_used);	/* after the records: their on_closed marks it */
	for (uint16_t i = 0; i < w->nports; i++)
		for (uint16_t j = 0; j < w->ports[i].ntx; j++)
			worker_drop(w, w->ports[i].txb[j], TCPE_DROP_NOT_SENT_DOWN);
	for (uint16_t j = 0; j < WORKER_MAX; j++) {
		struct rte_mbuf *m;

		while (w->steer_in[j] != NULL && rte_ring_sc_dequeue(w->steer_in[j], (void **)&m) == 0)
			worker_drop(w, m, TCPE_DROP_NOT_SENT_DOWN);
	}
	arp_cache_flush(&w->arp);
	rte_free(w->body);
	rte_hash_free(w->flows);
	rte_free(w->free_idx);
	rte_free(w->conns);
	rte_free(w->reasm);
	rte_free(w->tw.e);
	rte_free(w->dack.q);
	rte_free(w);
}
