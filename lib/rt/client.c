/* client.c - client mode: active opens at a rate or a kept concurrency, per-worker source ports that hash back to us, requests and their latency. */
#include "client.h"

#include <string.h>
#include <strings.h>

#include <rte_byteorder.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "flow.h"
#include "tcp.h"
#include "worker.h"

/* A client connection's state, in the 32 bytes of tcpe_app_state(). */
struct cl_conn {
	uint64_t t0_us;		/**< when the current request started */
	uint32_t reqs;		/**< requests completed on this connection */
	uint32_t want;		/**< body (http) or echo bytes still to come */
	uint32_t clen;		/**< Content-Length being parsed */
	uint16_t line_len;	/**< bytes in the current header line */
	uint8_t phase;		/**< enum below */
	uint8_t match;		/**< bytes of "content-length:" matched at line start */
	uint8_t in_cl;		/**< reading the Content-Length value */
	uint8_t prev;		/**< previous header byte */
	uint8_t last;		/**< the last request on this connection */
	uint8_t done;		/**< the last request completed (not an error if it ends now) */
};
_Static_assert(sizeof(struct cl_conn) <= 32, "fits tcpe_app_state()");

enum { PH_IDLE, PH_HEAD, PH_BODY, PH_TO_CLOSE, PH_ECHO };

static const char cl_header[] = "content-length:";

static inline struct cl_conn *
cl(struct tcpe_sock *s)
{
	return tcpe_app_state(s);
}

static inline struct worker *
wk(struct tcpe_sock *s)
{
	return ((struct conn *)s)->w;
}

unsigned int
client_lat_bucket(uint64_t us)
{
	unsigned int e;

	if (us < 16)
		return (unsigned int)us;
	e = 63u - (unsigned int)__builtin_clzll(us);
	if (e > CLIENT_LAT_MAX_EXP)
		return CLIENT_LAT_BUCKETS - 1;
	return 16 + (e - 4) * 8 + (unsigned int)((us >> (e - 3)) & 7);
}

uint64_t
client_lat_value(unsigned int b)
{
	unsigned int e, sub;

	if (b < 16)
		return b;
	e = (b - 16) / 8 + 4;
	sub = (b - 16) % 8;
	return (uint64_t)(8 + sub) << (e - 3);
}

/* Start the next request on an established connection (or read-until-close kinds). */
static void
request(struct tcpe_sock *s)
{
	struct worker *w = wk(s);
	struct client *k = &w->client;
	struct cl_conn *st = cl(s);
	uint64_t rpc = w->cfg->requests_per_conn;

	st->t0_us = tcpe_now_us(s);
	st->last = k->target == 0 || (rpc != 0 && st->reqs + 1 >= rpc);
	switch (w->cfg->client_kind) {
	case CLIENT_HTTP:
		st->phase = PH_HEAD;
		st->line_len = 0;
		st->match = 0;
		st->in_cl = 0;
		st->clen = 0;
		st->prev = 0;
		if (tcpe_send(s, st->last ? k->req_close : k->req, st->last ? k->req_close_len : k->req_len) == 0)
			tcpe_abort(s);
		else
			w->st.client_sent++;
		break;
	case CLIENT_ECHO:
		st->phase = PH_ECHO;
		st->want = (uint32_t)w->cfg->client_echo_bytes;
		if (tcpe_send_body(s, st->want) != st->want)
			tcpe_abort(s);
		else
			w->st.client_sent++;
		break;
	default:		/* hello, bulk: the server talks, then closes (the open is the request) */
		w->st.client_sent++;
		st->phase = PH_TO_CLOSE;
		st->last = 1;
		break;
	}
}

/* A request completed: its latency into the histogram, then the next one or the close. */
static void
complete(struct tcpe_sock *s)
{
	struct worker *w = wk(s);
	struct cl_conn *st = cl(s);
	uint64_t lat = tcpe_now_us(s) - st->t0_us;

	w->client.lat_hist[client_lat_bucket(lat)]++;
	w->st.client_requests++;
	st->reqs++;
	st->phase = PH_IDLE;
	if (st->last) {
		st->done = 1;
		if (w->cfg->client_kind == CLIENT_HTTP) {
			/* "Connection: close" was asked: the server closes first and keeps the
			 * TIME_WAIT (as with any HTTP/1.1 server), so the source port is free again
			 * at once. A server that does not close is closed on after a second. */
			tcpe_set_idle_ms(s, CLIENT_CLOSE_WAIT_MS);
		} else {
			tcpe_close(s);
		}
	} else {
		request(s);
	}
}

static void
cl_established(struct tcpe_sock *s)
{
	memset(cl(s), 0, sizeof(struct cl_conn));
	request(s);
}

/* HTTP/1.1 response: a header block ending in an empty line, then Content-Length bytes. */
static void
http_bytes(struct tcpe_sock *s, const uint8_t *d, uint32_t len)
{
	struct cl_conn *st = cl(s);
	uint32_t i = 0;

	while (i < len && st->phase == PH_HEAD) {
		uint8_t b;

		if (st->line_len == 0) {
			/* a whole line at hand: look at it at once (the byte loop below is for lines
			 * split between segments) */
			const uint8_t *nl = memchr(d + i, '\n', len - i);

			if (nl != NULL) {
				uint32_t n = (uint32_t)(nl - (d + i));	/* without the '\n' */

				if (n == 0 || (n == 1 && d[i] == '\r')) {
					i += n + 1;
					st->phase = PH_BODY;
					st->want = st->clen;
					break;
				}
				if (n > sizeof(cl_header) - 1 &&
				    strncasecmp((const char *)d + i, cl_header, sizeof(cl_header) - 1) == 0)
					for (uint32_t k = i + sizeof(cl_header) - 1; k < i + n; k++)
						if (d[k] >= '0' && d[k] <= '9')
							st->clen = st->clen * 10 + (uint32_t)(d[k] - '0');
				st->prev = '\n';
				i += n + 1;
				continue;
			}
		}
		b = d[i++];

		if (b == '\n') {
			if (st->line_len == 0 || (st->line_len == 1 && st->prev == '\r')) {
				st->phase = PH_BODY;
				st->want = st->clen;
				break;
			}
			st->line_len = 0;
			st->match = 0;
			st->in_cl = 0;
		} else {
			if (st->in_cl) {
				if (b >= '0' && b <= '9')
					st->clen = st->clen * 10 + (uint32_t)(b - '0');
			} else if (st->line_len == st->match && st->match < sizeof(cl_header) - 1 &&
				   (b | 0x20) == (uint8_t)cl_header[st->match]) {
				if (++st->match == sizeof(cl_header) - 1)
					st->in_cl = 1;
			}
			st->line_len++;
		}
		st->prev = b;
	}
	if (st->phase == PH_BODY) {
		uint32_t n = len - i < st->want ? len - i : st->want;

		st->want -= n;
		if (st->want == 0)
			complete(s);
	}
}

static void
cl_data(struct tcpe_sock *s, const uint8_t *d, uint32_t len)
{
	struct cl_conn *st = cl(s);

	switch (st->phase) {
	case PH_HEAD:
	case PH_BODY:
		http_bytes(s, d, len);
		break;
	case PH_ECHO:
		st->want = len < st->want ? st->want - len : 0;
		if (st->want == 0)
			complete(s);
		break;
	default:
		break;		/* hello / bulk: counted in data_rx_bytes, complete at the FIN */
	}
}

static void
cl_peer_fin(struct tcpe_sock *s)
{
	struct cl_conn *st = cl(s);

	if (st->phase == PH_TO_CLOSE)
		complete(s);	/* closes */
	else
		tcpe_close(s);	/* the server closed first: if a request was open, it failed */
}

/* The port_used bit of @p t's source (address, port). */
static void
port_mark(struct client *k, const struct tcp_tuple *t, bool used)
{
	uint64_t bit;

	if (k->port_used == NULL)
		return;
	bit = (uint64_t)(rte_be_to_cpu_32(t->laddr) - k->src_lo) << 16 | rte_be_to_cpu_16(t->lport);
	if (used)
		k->port_used[bit >> 6] |= 1ULL << (bit & 63);
	else
		k->port_used[bit >> 6] &= ~(1ULL << (bit & 63));
}

static void
cl_closed(struct tcpe_sock *s, int reset)
{
	struct worker *w = wk(s);
	struct cl_conn *st = cl(s);

	w->client.live--;
	/* the pair is free again unless a TIME_WAIT entry takes the tuple over */
	if (((struct conn *)s)->tcb.state != TCP_TIME_WAIT)
		port_mark(&w->client, &((struct conn *)s)->tcb.tuple, false);
	if (!st->done || reset) {
		w->st.client_errors++;
		/* refused or reset: do not turn a dead server into a storm of SYNs */
		w->client.pause_until_us = tcpe_now_us(s) + CLIENT_ERROR_PAUSE_US;
	}
}

const struct tcpe_app app_client = {
	.name = "client",
	.on_accept = cl_established,
	.on_data = cl_data,
	.on_peer_fin = cl_peer_fin,
	.on_closed = cl_closed,
};

void
client_init(struct worker *w, unsigned int nworkers)
{
	const struct tcpe_config *cfg = w->cfg;
	struct client *k = &w->client;
	char host[32];
	uint32_t ip = rte_be_to_cpu_32(cfg->client_ip);
	uint64_t share;

	memset(k, 0, sizeof(*k));
	if (cfg->connect[0] == '\0')
		return;
	k->on = true;
	/* This worker's share of --concurrency or --rate (the first workers take the remainder). */
	share = cfg->concurrency / nworkers + (w->index < cfg->concurrency % nworkers);
	k->target = (uint32_t)share;
	if (cfg->concurrency == 0) {
		uint64_t r = cfg->rate / nworkers + (w->index < cfg->rate % nworkers);

		k->interval_us = r > 0 ? 1000000 / r : 0;	/* start-up only */
		if (cfg->rate > 0 && r == 0)
			k->on = false;	/* fewer connections per second than workers */
	}
	k->next_hop = ((cfg->client_ip ^ cfg->ports[0].ip) & htonl(cfg->ports[0].prefix ?
			~0u << (32 - cfg->ports[0].prefix) : 0)) == 0 || cfg->ports[0].gateway == 0 ?
			cfg->client_ip : cfg->ports[0].gateway;
	k->cursor = (uint16_t)(10000 + 1000 * w->index);
	k->src_lo = cfg->source_n ? cfg->source_lo : rte_be_to_cpu_32(cfg->ports[0].ip);
	k->nsrc = cfg->source_n ? cfg->source_n : 1;
	/* 8 KiB per source address; without it every pick is a flow-table lookup, as before */
	k->port_used = rte_zmalloc_socket("tcpe_client_ports", (size_t)k->nsrc << 13,
					  RTE_CACHE_LINE_SIZE, (int)rte_lcore_to_socket_id(w->lcore));
	snprintf(host, sizeof(host), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
		 ip & 255);
	k->req_len = (uint16_t)snprintf(k->req, sizeof(k->req),
					"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcpe\r\n\r\n", host);
	k->req_close_len = (uint16_t)snprintf(k->req_close, sizeof(k->req_close),
					      "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcpe\r\n"
					      "Connection: close\r\n\r\n", host);
}

/* A free source port whose tuple this worker owns (RSS or software steering send the replies
 * back here) and that no record or TIME_WAIT entry uses. */
static bool
pick_port(struct worker *w, struct tcp_tuple *t)
{
	struct client *k = &w->client;

	/* Bounded: a crowded port space costs a counted miss (client_no_port), never a stall. */
	for (unsigned int tries = 0; tries < CLIENT_PORT_TRIES; tries++) {
		void *ref;

		/* every (source address, port) pair in turn: the address moves fastest */
		if (++k->src_idx >= k->nsrc) {
			k->src_idx = 0;
			k->cursor = k->cursor >= 65535 ? 1024 : (uint16_t)(k->cursor + 1);
		}
		t->laddr = rte_cpu_to_be_32(k->src_lo + k->src_idx);
		t->lport = rte_cpu_to_be_16(k->cursor);

		if (w->nworkers > 1 && worker_owner(w, t) != w->index)
			continue;
		if (k->port_used != NULL) {
			uint64_t bit = (uint64_t)k->src_idx << 16 | k->cursor;

			if (!(k->port_used[bit >> 6] & (1ULL << (bit & 63))))
				return true;	/* no record or TIME_WAIT has held it since */
		}
		ref = flow_lookup(w->flows, t);
		if (ref != NULL && !(ref_is_tw(ref) &&
				     tcp_tw_reuse(&w->tcp, &w->tw, ref_tw(ref), CLIENT_TW_REUSE_US)))
			continue;
		return true;
	}
	return false;
}

static bool
open_one(struct worker *w)
{
	struct client *k = &w->client;
	struct tcp_tuple t = { .raddr = w->cfg->client_ip, .rport = w->cfg->client_port };
	struct conn *c;

	if (!pick_port(w, &t)) {
		w->st.client_no_port++;
		return false;
	}
	c = stack_conn_new(w, &t);
	if (c == NULL) {
		w->st.client_no_record++;
		return false;
	}
	port_mark(k, &t, true);
	c->peer_mac = k->mac;
	c->port = 0;
	c->app = APP_CLIENT;
	c->accepted = 1;	/* on_closed is owed whatever happens */
	k->live++;
	tcp_active_open(&w->tcp, &c->tcb, &t);
	return true;
}

bool
client_tick(struct worker *w)
{
	struct client *k = &w->client;
	unsigned int opened = 0;

	if (!k->on || w->nports == 0)
		return false;
	if (!k->resolved) {
		bool want = false;
		int rc = arp_resolve(&w->arp, k->next_hop, w->tcp.now, NULL, &k->mac, &want);

		if (rc == 1) {
			k->resolved = true;
			k->next_us = w->tcp.now;
		} else if (want) {
			struct rte_mbuf *m = arp_request(w->mp, &w->ports[0].addr, k->next_hop);

			if (m != NULL) {
				w->st.arp_tx++;
				worker_tx(w, &w->ports[0], m);
			}
		}
		return false;
	}
	if (w->tcp.now < k->pause_until_us)
		return false;
	if (k->target > 0) {
		/* keep --concurrency connections: replace each one that ends */
		while (k->live < k->target && opened < CLIENT_OPEN_BURST && open_one(w))
			opened++;
	} else if (k->interval_us > 0) {
		/* --rate: a token per interval, never more than a burst at once after a stall */
		if (w->tcp.now > k->next_us + 100000)
			k->next_us = w->tcp.now - 100000;
		while (k->next_us <= w->tcp.now && opened < CLIENT_OPEN_BURST && open_one(w)) {
			k->next_us += k->interval_us;
			opened++;
		}
	} else {
		/* as fast as possible: keep a bounded number of opens in flight */
		while (k->live < CLIENT_MAX_INFLIGHT && opened < CLIENT_OPEN_BURST && open_one(w))
			opened++;
	}
	return opened > 0;
}
