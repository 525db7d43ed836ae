/* client.c - client mode: active opens at a rate or a kept concurrency from source ports that hash back to this worker, and the application that sends requests and times their answers. */
#include "client.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "http_parse.h"

/* A client connection's state, in the 32 bytes of tcpe_app_state(). */
struct cl_conn {
	uint64_t t0_us;		/**< when the current request started */
	uint32_t reqs;		/**< requests completed on this connection */
	uint32_t want;		/**< body (http) or echo bytes still to come */
	uint32_t clen;		/**< Content-Length being parsed */
	uint16_t line_len;	/**< bytes in the current header line */
	uint8_t phase;		/**< enum below */
	uint8_t match;		/**< bytes of "content-length:" matched at line start */
	uint8_t prev;		/**< previous header byte */
	uint8_t batch;		/**< requests sent together (--pipeline), responses still due */
	uint8_t in_cl : 1;	/**< reading the Content-Length value */
	uint8_t last : 1;	/**< this batch ends the connection */
	uint8_t done : 1;	/**< the last request completed (not an error if it ends now) */
	uint8_t mix;		/**< the current batch's request variant (--mix) */
	uint32_t tosend;	/**< bytes of the current batch not queued yet (a send budget) */
};
_Static_assert(sizeof(struct cl_conn) <= 32, "fits tcpe_app_state()");

enum { PH_IDLE, PH_HEAD, PH_BODY, PH_TO_CLOSE, PH_ECHO };

static const char cl_header[] = "content-length:";
#define CLIENT_FP 16		/**< the open schedule's fixed point: 2^-16 us (rates past 1 M/s) */
#define CLEN_MAX (1u << 31)	/**< a Content-Length beyond this is not a response we read */

static inline struct cl_conn *
cl(struct tcpe_sock *s)
{
	return tcpe_app_state(s);
}

static inline struct client *
ck(struct tcpe_sock *s)
{
	return tcpe_app_ctx(s);
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

/* The bytes of an HTTP batch of variant @p q: @p n requests, the last asking to close when @p last. */
static inline uint32_t
batch_bytes(const struct client_req *q, unsigned int n, bool last)
{
	return (n - 1) * (uint32_t)q->len + (last ? q->close_len : q->len);
}

/* Queue what the send budget takes of the current batch; on_writable brings us back. The
 * client's and the connection's state come from the caller (each a call into the runtime). */
static void
send_batch(struct tcpe_sock *s, const struct client *k, struct cl_conn *st)
{
	if (k->kind == CLIENT_ECHO) {
		if (st->tosend > 0)
			st->tosend -= tcpe_send_body(s, st->tosend, k->echo_bytes - st->tosend);
		return;
	}
	while (st->tosend > 0) {
		/* the requests still to queue are the batch's last ones: find the one at hand */
		const struct client_req *q = &k->reqs[st->mix];
		uint32_t off = batch_bytes(q, st->batch, st->last) - st->tosend;
		uint32_t i = off / q->len, len, sent;
		const char *r = q->req;

		if (i >= st->batch - 1u) {
			i = st->batch - 1u;
			if (st->last)
				r = q->close;
		}
		len = r == q->req ? q->len : q->close_len;
		off -= i * q->len;
		sent = tcpe_send(s, r + off, len - off);
		st->tosend -= sent;
		if (sent < len - off)
			return;
	}
}

/* on_writable: room again for the batch. */
static void
send_more(struct tcpe_sock *s)
{
	send_batch(s, ck(s), cl(s));
}

/* Ready to read the next response's header block. */
static void
head_reset(struct cl_conn *st)
{
	st->phase = PH_HEAD;
	st->line_len = 0;
	st->match = 0;
	st->in_cl = 0;
	st->clen = 0;
	st->prev = 0;
}

/* --mix: the variant of the next request (or --pipeline batch), drawn by weight. */
static inline uint8_t
pick_variant(const struct client *k)
{
	uint32_t r;
	uint8_t i = 0;

	if (k->nreq <= 1)
		return 0;
	r = (uint32_t)rte_rand_max(k->wsum);
	while (i < k->nreq - 1 && r >= k->reqs[i].wcum)
		i++;
	return i;
}

/* Start the next request (an HTTP batch of --pipeline) on an established connection, or wait for
 * the server's close (read-until-close kinds). */
static void
request(struct tcpe_sock *s, struct client *k, struct cl_conn *st)
{
	unsigned int n = k->kind == CLIENT_HTTP ? k->pipeline : 1;

	if (k->requests_per_conn != 0 && k->requests_per_conn - st->reqs < n)
		n = (unsigned int)(k->requests_per_conn - st->reqs);
	st->t0_us = tcpe_now_us(s);
	st->last = k->target == 0 || (k->requests_per_conn != 0 && st->reqs + n >= k->requests_per_conn);
	switch (k->kind) {
	case CLIENT_HTTP:
		k->st->client_sent += n;
		st->batch = (uint8_t)n;
		head_reset(st);
		st->mix = pick_variant(k);
		st->tosend = batch_bytes(&k->reqs[st->mix], n, st->last);
		send_batch(s, k, st);
		break;
	case CLIENT_ECHO:
		k->st->client_sent++;
		st->phase = PH_ECHO;
		st->want = (uint32_t)k->echo_bytes;
		st->tosend = st->want;
		send_batch(s, k, st);
		break;
	default:		/* hello, bulk: the server talks, then closes (the open is the request) */
		k->st->client_sent++;
		st->phase = PH_TO_CLOSE;
		st->last = 1;
		break;
	}
}

/* A request completed: its latency (from its batch's start) into the histogram, then the next
 * response of the batch, the next batch, or the close. */
static void
complete(struct tcpe_sock *s, struct cl_conn *st)
{
	struct client *k = ck(s);
	uint64_t lat = tcpe_now_us(s) - st->t0_us;

	k->lat_hist[client_lat_bucket(lat)]++;
	k->st->client_requests++;
	st->reqs++;
	if (st->batch > 1) {
		st->batch--;
		head_reset(st);
		return;
	}
	st->batch = 0;
	st->phase = PH_IDLE;
	if (st->last) {
		st->done = 1;
		if (k->kind == CLIENT_HTTP) {
			/* "Connection: close" was asked: the server closes first and keeps the
			 * TIME_WAIT (as with any HTTP/1.1 server), so the source port is free again
			 * at once. A server that does not close is closed on after a second. */
			tcpe_set_idle_ms(s, CLIENT_CLOSE_WAIT_MS);
		} else {
			tcpe_close(s);
		}
	} else {
		request(s, k, st);
	}
}

static void
cl_established(struct tcpe_sock *s)
{
	struct cl_conn *st = cl(s);
	uint64_t sched = st->t0_us;	/* open-loop: when this connection was due to open */

	memset(st, 0, sizeof(struct cl_conn));
	request(s, ck(s), st);
	if (sched != 0)
		st->t0_us = sched;
}

/* One digit of a Content-Length value; a value past CLEN_MAX makes the response unreadable. */
static inline void
clen_digit(struct cl_conn *st, uint8_t b)
{
	if (b < '0' || b > '9')
		return;
	st->clen = st->clen > CLEN_MAX / 10 ? CLEN_MAX : st->clen * 10 + (uint32_t)(b - '0');
}

/* The end of the header block: the body follows (an absurd length ends the connection). */
static bool
head_done(struct tcpe_sock *s, struct cl_conn *st)
{
	if (st->clen >= CLEN_MAX) {
		tcpe_abort(s);
		return false;
	}
	st->phase = PH_BODY;
	st->want = st->clen;
	return true;
}

/* A whole header line at @p d (@p n bytes, without the '\n'). Returns false at the blank line. */
static bool
head_line(struct cl_conn *st, const uint8_t *d, uint32_t n)
{
	if (n == 0 || (n == 1 && d[0] == '\r'))
		return false;
	if (n > sizeof(cl_header) - 1 && http_is_content_length(d)) {
		st->clen = 0;	/* a repeated header replaces, never adds to, the value */
		for (uint32_t k = sizeof(cl_header) - 1; k < n; k++)
			clen_digit(st, d[k]);
	}
	st->prev = '\n';
	return true;
}

/* One header byte of a line split between segments. Returns false at the blank line. */
static bool
head_byte(struct cl_conn *st, uint8_t b)
{
	if (b == '\n') {
		if (st->line_len == 0 || (st->line_len == 1 && st->prev == '\r'))
			return false;
		st->line_len = 0;
		st->match = 0;
		st->in_cl = 0;
	} else {
		if (st->in_cl) {
			clen_digit(st, b);
		} else if (st->line_len == st->match && st->match < sizeof(cl_header) - 1 &&
			   http_ci_eq(&b, &cl_header[st->match], 1)) {
			if (++st->match == sizeof(cl_header) - 1) {
				st->in_cl = 1;
				st->clen = 0;
			}
		}
		st->line_len++;
	}
	st->prev = b;
	return true;
}

/* HTTP/1.1 responses: each a header block ending in an empty line, then Content-Length bytes;
 * with --pipeline, the next may follow in the same segment. */
static void
http_bytes(struct tcpe_sock *s, struct cl_conn *st, const uint8_t *d, uint32_t len)
{
	uint32_t i = 0;

next:
	while (i < len && st->phase == PH_HEAD) {
		uint32_t nl;

		/* a whole line at hand: look at it at once (head_byte is for lines split between
		 * segments) */
		if (st->line_len == 0 && (nl = http_lf(d, i, len)) < len) {
			if (!head_line(st, d + i, nl - i) && !head_done(s, st))
				return;
			i = nl + 1;
			continue;
		}
		if (!head_byte(st, d[i++]) && !head_done(s, st))
			return;
	}
	if (st->phase == PH_BODY) {
		uint32_t n = len - i < st->want ? len - i : st->want;

		st->want -= n;
		i += n;
		if (st->want == 0) {
			complete(s, st);
			if (st->phase == PH_HEAD && i < len)
				goto next;
		}
	}
}

/* The first hello connection's bytes, as far as they fit (the greeting the notes' server sends). */
static void
greeting_keep(struct client *k, const struct tcpe_sock *s, const uint8_t *d, uint32_t len)
{
	uint32_t n;

	if (k->greet_sock == NULL && k->greet_len == 0)
		k->greet_sock = s;
	if (k->greet_sock != s)
		return;
	n = RTE_MIN(len, (uint32_t)(CLIENT_GREETING_MAX - k->greet_len));
	memcpy(k->greeting + k->greet_len, d, n);
	k->greet_len = (uint8_t)(k->greet_len + n);
}

static uint32_t
cl_data(struct tcpe_sock *s, const uint8_t *d, uint32_t len)
{
	struct cl_conn *st = cl(s);

	switch (st->phase) {
	case PH_HEAD:
	case PH_BODY:
		http_bytes(s, st, d, len);
		break;
	case PH_ECHO:
		st->want = len < st->want ? st->want - len : 0;
		if (st->want == 0)
			complete(s, st);
		break;
	default:		/* hello / bulk: counted in data_rx_bytes, complete at the FIN */
		if (ck(s)->kind == CLIENT_HELLO)
			greeting_keep(ck(s), s, d, len);
		break;
	}
	return len;
}

static void
cl_peer_fin(struct tcpe_sock *s)
{
	struct cl_conn *st = cl(s);

	if (ck(s)->greet_sock == s)
		ck(s)->greet_sock = NULL;	/* the greeting is whole: nothing more is kept */
	if (st->phase == PH_TO_CLOSE)
		complete(s, st);	/* closes */
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
	bit = (uint64_t)(k->v6 ? 0 : rte_be_to_cpu_32(t->laddr) - k->src_lo) << 16 |
	      rte_be_to_cpu_16(t->lport);
	if (used)
		k->port_used[bit >> 6] |= 1ULL << (bit & 63);
	else
		k->port_used[bit >> 6] &= ~(1ULL << (bit & 63));
}

static void
cl_closed(struct tcpe_sock *s, int reset)
{
	struct client *k = ck(s);
	struct cl_conn *st = cl(s);

	if (k->greet_sock == s)
		k->greet_sock = NULL;
	k->live--;
	/* the pair is free again unless a TIME_WAIT entry takes the tuple over */
	if (!tcpe_sock_time_wait(s))
		port_mark(k, tcpe_sock_tuple(s), false);
	if (!st->done || reset) {
		k->st->client_errors++;
		/* refused or reset: do not turn a dead server into a storm of SYNs */
		k->pause_until_us = tcpe_now_us(s) + CLIENT_ERROR_PAUSE_US;
	}
}

static const struct tcpe_app app_client = {
	.name = "client",
	.has_state = true,
	.on_accept = cl_established,
	.on_data = cl_data,
	.on_writable = send_more,
	.on_peer_fin = cl_peer_fin,
	.on_closed = cl_closed,
};

/* --- the opener ---------------------------------------------------------------------------- */

_Static_assert(sizeof(((struct tcpe_config *)0)->request) + 64 <= sizeof(((struct client_req *)0)->req) &&
	       sizeof(((struct tcpe_config *)0)->request) + 96 <= sizeof(((struct client_req *)0)->close) &&
	       sizeof(((struct tcpe_config *)0)->mix_path[0]) <= sizeof(((struct tcpe_config *)0)->request),
	       "the longest --request or --mix path fits both requests");
_Static_assert(RTE_DIM(((struct tcpe_config *)0)->mix_path) <= CLIENT_MIX_MAX, "--mix fits");

/* Variant @p q of the requests an HTTP client sends to @p host, for @p path. */
static void
request_init(struct client_req *q, const char *host, const char *path)
{
	q->len = (uint16_t)snprintf(q->req, sizeof(q->req),
				    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcpe\r\n\r\n",
				    path, host);
	q->close_len = (uint16_t)snprintf(q->close, sizeof(q->close),
					  "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcpe\r\n"
					  "Connection: close\r\n\r\n", path, host);
}

/* The requests an HTTP client sends to the server (Host: its address, an IPv6 one in
 * brackets): --request http[:PATH]'s, or one variant per --mix target with its cumulative
 * weight. */
static void
requests_init(struct client *k, const struct tcpe_config *cfg)
{
	char host[INET6_ADDRSTRLEN + 2], a[INET6_ADDRSTRLEN];

	if (k->v6)
		snprintf(host, sizeof(host), "[%s]", inet_ntop(AF_INET6, k->server6, a, sizeof(a)));
	else
		inet_ntop(AF_INET, &cfg->client_ip, host, sizeof(host));
	k->nreq = 1;
	k->wsum = 1;
	k->reqs[0].wcum = 1;
	if (cfg->mix_n == 0) {
		request_init(&k->reqs[0], host, cfg->request[4] == ':' ? cfg->request + 5 : "/");
		return;
	}
	k->nreq = cfg->mix_n;
	k->wsum = 0;
	for (unsigned int i = 0; i < cfg->mix_n; i++) {
		request_init(&k->reqs[i], host, cfg->mix_path[i]);
		k->wsum += cfg->mix_weight[i];
		k->reqs[i].wcum = k->wsum;
	}
}

/* An IPv6 server: the tuple's stand-in of its address under this worker's key, and the next
 * hop (the server on port 0's prefix or without --gateway6, else the gateway). */
static void
client_init6(struct client *k, const struct tcpe_config *cfg, const struct net_addr *ifa0)
{
	const struct tcpe_port_cfg *p0 = &cfg->ports[0];
	bool on_link = config_ip6_same_prefix(cfg->client_ip6, p0->ip6, p0->prefix6);

	k->v6 = true;
	memcpy(k->server6, cfg->client_ip6, 16);
	memcpy(k->src6, ifa0->ip6, 16);
	memcpy(k->next_hop6, on_link || config_ip6_none(p0->gateway6) ? cfg->client_ip6 :
			     p0->gateway6, 16);
	k->server_ip = net_ip6_key(ifa0, k->server6);
	k->src_lo = 0;
	k->nsrc = 1;
}

struct client *
client_create(const struct tcpe_config *cfg, unsigned int index, unsigned int nworkers,
	      int socket, struct conn_table *tab, const struct steer *steer,
	      const struct net_addr *ifa0)
{
	struct client *k = rte_zmalloc_socket("tcpe_client", sizeof(*k), RTE_CACHE_LINE_SIZE, socket);
	const struct tcpe_port_cfg *p0 = &cfg->ports[0];
	uint32_t mask = rte_cpu_to_be_32(p0->prefix ? ~0u << (32 - p0->prefix) : 0);

	if (k == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	k->on = true;
	k->tab = tab;
	k->steer = steer;
	k->st = tab->st;
	k->index = (uint16_t)index;
	k->nworkers = (uint16_t)nworkers;
	k->server_ip = cfg->client_ip;
	k->server_port = cfg->client_port;
	k->kind = cfg->client_kind;
	k->echo_bytes = cfg->client_echo_bytes;
	k->pipeline = (uint8_t)cfg->pipeline;
	k->requests_per_conn = cfg->requests_per_conn;
	/* This worker's share of --concurrency or --rate (the first workers take the remainder). */
	k->target = (uint32_t)(cfg->concurrency / nworkers + (index < cfg->concurrency % nworkers));
	if (cfg->concurrency == 0) {
		uint64_t r = cfg->rate / nworkers + (index < cfg->rate % nworkers);

		k->interval = r > 0 ? (1000000ULL << CLIENT_FP) / r : 0;
		k->arrivals = (uint8_t)cfg->arrivals;
		k->ramp_us = cfg->ramp_s * 1000000;
		if (cfg->rate > 0 && r == 0)
			k->on = false;	/* fewer connections per second than workers */
	}
	k->next_hop = ((cfg->client_ip ^ p0->ip) & mask) == 0 || p0->gateway == 0 ?
		      cfg->client_ip : p0->gateway;
	k->cursor = 0;
	k->src_lo = cfg->source_n ? cfg->source_lo : rte_be_to_cpu_32(p0->ip);
	k->nsrc = cfg->source_n ? cfg->source_n : 1;
	if (cfg->client_v6)
		client_init6(k, cfg, ifa0);
	/* 8 KiB per source address; without it every pick is a flow-table lookup */
	k->port_used = rte_zmalloc_socket("tcpe_client_ports", (size_t)k->nsrc << 13,
					  RTE_CACHE_LINE_SIZE, socket);
	k->port_off = rte_malloc_socket("tcpe_client_port_off", sizeof(uint16_t) * k->nsrc,
					RTE_CACHE_LINE_SIZE, socket);
	if (k->port_off == NULL) {
		rte_free(k->port_used);
		rte_free(k);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < k->nsrc; i++)
		k->port_off[i] = (uint16_t)(rte_rand() % CLIENT_PORT_RANGE);
	requests_init(k, cfg);
	if (conn_set_app(tab, CONN_APP_CLIENT, &app_client) != 0) {
		client_destroy(k);
		rte_errno = ENOMEM;
		return NULL;
	}
	conn_set_app_ctx(tab, CONN_APP_CLIENT, k);
	return k;
}

void
client_destroy(struct client *k)
{
	if (k == NULL)
		return;
	rte_free(k->port_used);
	rte_free(k->port_off);
	rte_free(k);
}

void
client_reset(struct client *k)
{
	k->resolved = false;
	k->live = 0;
	k->cursor = 0;
	k->src_idx = 0;
	k->ahead_head = 0;
	k->ahead_n = 0;
	k->next = 0;
	k->pause_until_us = 0;
	if (k->port_used != NULL)
		memset(k->port_used, 0, (size_t)k->nsrc << 13);
	memset(k->lat_hist, 0, sizeof(k->lat_hist));
}

void
client_set_mac(struct client *k, const struct rte_ether_addr *mac, uint64_t now_us)
{
	k->mac = *mac;
	k->resolved = true;
	k->next = now_us << CLIENT_FP;
	k->start_us = now_us;
}

/* Whether @p t is one of the pairs picked ahead (fill_ahead()): free, but taken. */
static bool
picked_ahead(const struct client *k, const struct tcp_tuple *t)
{
	for (unsigned int i = 0; i < k->ahead_n; i++) {
		const struct tcp_tuple *a = &k->ahead[(k->ahead_head + i) % CLIENT_AHEAD];

		if (a->laddr == t->laddr && a->lport == t->lport)
			return true;
	}
	return false;
}

/* A free source port whose tuple this worker owns (RSS or software steering send the replies
 * back here) and that no record, TIME_WAIT entry or earlier pick ahead uses. */
static bool
pick_port(struct client *k, struct tcp_tuple *t)
{
	/* Bounded: a crowded port space costs a counted miss (client_no_port), never a stall. */
	for (unsigned int tries = 0; tries < CLIENT_PORT_TRIES; tries++) {
		uint16_t port;

		/* every (source address, port) pair in turn: the address moves fastest */
		if (++k->src_idx >= k->nsrc) {
			k->src_idx = 0;
			k->cursor = k->cursor + 1u >= CLIENT_PORT_RANGE ? 0 : (uint16_t)(k->cursor + 1);
		}
		t->laddr = k->v6 ? tuple_laddr_ip6(0) : rte_cpu_to_be_32(k->src_lo + k->src_idx);
		/* RFC 6056 §3.3.3: each source address walks the ports from its own random offset */
		port = (uint16_t)(CLIENT_PORT_MIN + (k->cursor + k->port_off[k->src_idx]) % CLIENT_PORT_RANGE);
		t->lport = rte_cpu_to_be_16(port);

		if (k->nworkers > 1 &&
		    (k->v6 ? steer_owner6(k->steer, k->src6, k->server6, t->lport, t->rport) :
			     steer_owner(k->steer, t)) != k->index)
			continue;
		if (k->port_used != NULL) {
			uint64_t bit = (uint64_t)k->src_idx << 16 | port;

			if (!(k->port_used[bit >> 6] & (1ULL << (bit & 63))))
				return true;	/* no record or TIME_WAIT has held it since */
		}
		if (!picked_ahead(k, t) && conn_tuple_free(k->tab, t, CLIENT_TW_REUSE_US))
			return true;
	}
	return false;
}

/*
 * The schedule's next open after the one due at @p at (both 2^-16 us). With --ramp the rate
 * climbs linearly from 0 to --rate over T, then holds: opens come as a process whose expected
 * count since the start is L(t) = t^2 / (2 T iv) during the ramp and (t - T/2) / iv after it
 * (iv: --rate's interval). Each open moves L on by 1 (constant arrivals) or by an exponential
 * with mean 1 (--arrivals poisson), and the next one is due where L reaches that - so the start
 * of a ramp is neither a burst nor a gap. (Stretching the interval by the rate at the moment
 * instead drew multi-second gaps at the first opens of a Poisson ramp.)
 */
static uint64_t
next_arrival(const struct client *k, uint64_t at)
{
	double e = 1.0, iv = (double)k->interval, t, T, l, t1;
	uint64_t start = k->start_us << CLIENT_FP;

	if (k->arrivals == ARRIVALS_POISSON) {
		/* u uniform in (0, 1]: -ln(u) is exponential with mean 1 */
		double u = (double)((rte_rand() >> 11) + 1) / 9007199254740992.0;

		e = -log(u);
	}
	if (k->ramp_us == 0 || at < start)
		return at + (uint64_t)(e * iv);
	T = (double)(k->ramp_us << CLIENT_FP);
	t = (double)(at - start);
	l = (t < T ? t * t / (2 * T * iv) : (t - T / 2) / iv) + e;
	t1 = l * iv < T / 2 ? sqrt(2 * T * iv * l) : T / 2 + l * iv;
	return t1 > t ? start + (uint64_t)t1 : at;
}

/*
 * The next opens' pairs, picked CLIENT_AHEAD opens early: their flow-table buckets are then
 * loading while the opens before them build their SYNs, instead of stalling each open's insert
 * (on a client with a large --max-conns they are rarely in cache: 9 % of its cycles went to that
 * wait; one open ahead hid only a third of it). A picked pair is marked used at once and a pick
 * that would look it up skips it (picked_ahead()), so that no pick takes it twice; it stays free
 * meanwhile, as only this worker's opens take its pairs and a segment for a pair without a record
 * leaves no state. Without the bitmap (port_used NULL) only one pair is picked ahead.
 */
static void
fill_ahead(struct client *k)
{
	unsigned int depth = k->port_used != NULL ? CLIENT_AHEAD : 1;

	while (k->ahead_n < depth) {
		struct tcp_tuple *t = &k->ahead[(k->ahead_head + k->ahead_n) % CLIENT_AHEAD];

		*t = (struct tcp_tuple){ .raddr = k->server_ip, .rport = k->server_port };
		if (!pick_port(k, t))
			return;
		port_mark(k, t, true);
		conn_open_prefetch(k->tab, t);
		k->ahead_n++;
	}
}

static bool
open_one(struct client *k, uint64_t sched_us)
{
	struct tcpe_sock *s;
	const struct tcp_tuple *t;

	if (k->ahead_n == 0)
		fill_ahead(k);	/* otherwise after an open, not at every try while records are short */
	if (k->ahead_n == 0) {
		k->st->client_no_port++;
		return false;
	}
	t = &k->ahead[k->ahead_head];
	s = conn_open(k->tab, t, k->v6 ? k->server6 : NULL, 0, &k->mac, CONN_APP_CLIENT);
	if (s == NULL) {
		k->st->client_no_record++;
		return false;	/* the pair stays picked for the next try */
	}
	cl(s)->t0_us = sched_us;	/* open-loop: the request's latency counts from here */
	k->ahead_head = (uint8_t)((k->ahead_head + 1) % CLIENT_AHEAD);
	k->ahead_n--;
	k->live++;
	fill_ahead(k);
	return true;
}

bool
client_tick(struct client *k, uint64_t now, bool tx_backlog, bool rx_behind)
{
	unsigned int opened = 0, burst = CLIENT_OPEN_BURST;

	k->capped = false;
	if (!k->on || now < k->pause_until_us)
		return false;
	if (tx_backlog) {
		k->st->client_open_deferred++;
		return false;	/* --rate's schedule catches up (a burst at most) when it clears */
	}
	if (k->target > 0) {
		/* keep --concurrency connections: replace each one that ends */
		while (k->live < k->target && opened < burst && open_one(k, 0))
			opened++;
	} else if (k->interval > 0) {
		/* --rate: a token per interval. A closed schedule skips what a stall missed beyond
		 * 100 ms; an open-loop one (--arrivals) catches up a burst per tick, every open
		 * keeping its scheduled start. */
		uint64_t t = now << CLIENT_FP;

		if (rx_behind && k->next <= t) {
			/*
			 * Receive before opening more: a schedule has no bound on the connections in
			 * flight, so a client past its own capacity has its own receive livelock. Every
			 * open brings about three frames back; opening 32 an iteration while 32 frames
			 * came off the ring, it fell behind on receiving, filled the server's transmit
			 * ring, had its SYNs shed and its ACKs and FINs dropped and resent, and the pair
			 * slid to under half its rate (one that answered 950 k/s closed-loop answered
			 * 370 k offered 1.2 M/s). A few opens still go, so a client that receives a
			 * stream all the time still opens. (The other modes replace connections that
			 * ended: what they have in flight is bounded.)
			 */
			k->st->client_open_rx_behind++;
			burst = CLIENT_OPEN_BURST_BEHIND;
		}
		if (k->arrivals == ARRIVALS_OFF && t > k->next + (100000ULL << CLIENT_FP))
			k->next = t - (100000ULL << CLIENT_FP);
		while (k->next <= t && opened < burst &&
		       open_one(k, k->arrivals != ARRIVALS_OFF ? k->next >> CLIENT_FP : 0)) {
			k->next = next_arrival(k, k->next);
			opened++;
		}
	} else {
		/* as fast as possible: keep a bounded number of opens in flight */
		while (k->live < CLIENT_MAX_INFLIGHT && opened < burst && open_one(k, 0))
			opened++;
	}
	k->capped = opened == burst;
	return opened > 0;
}
