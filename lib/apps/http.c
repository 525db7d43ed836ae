/* http.c - HTTP/1.1 responder (RFC 9112): keep-alive, pipelining, GET/HEAD bodies by reference, /bytes/N, 400/405/431. */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "apps.h"
#include "http_parse.h"

/* A connection's state, in the 32 bytes tcpe_app_state() gives. */
struct http_conn {
	struct http_parser p;
	uint32_t body_left;	/* body bytes of the response in progress not queued yet */
	uint8_t phase;		/* body bytes queued so far, modulo the pattern's period */
	uint8_t closing;	/* the response in progress is the last: input after it is ignored,
				 * and the connection closes once its body is queued */
};

/* Room for any response head send_head() writes (the longest, a 431 with a 20-digit length and
 * Connection: keep-alive, is under 200 bytes). */
#define HEAD_MAX 256
/* A body up to this size goes out in the head's buffer: one send, one piece of the send queue. */
#define INLINE_BODY_MAX 256
/* Send space a request needs before it is parsed: any head (with a short error body or an
 * inline body) then fits whole; a large body goes on as the window opens. */
#define RESPONSE_ROOM 1024
_Static_assert(HEAD_MAX + INLINE_BODY_MAX <= RESPONSE_ROOM, "a head and an inline body fit the room");
_Static_assert(sizeof(struct http_conn) <= 32, "fits the per-connection app state");

/* What a response head depends on besides the Date: a 200 composed for the same values is
 * sent again as it is. */
struct http_key {
	uint64_t clen;
	uint32_t status, inline_body;
	bool close, ka10;
};

/*
 * Per-worker: the Date header, formatted at most once a second (RFC 9110 §6.6.1), and the last
 * response head composed (with its inline body): keep-alive clients asking for the same object
 * get the same bytes until the Date changes, so it is composed once per second and key, not
 * once per request.
 */
struct http_worker {
	uint64_t stale_at_us;	/* worker clock when the string below goes stale */
	char date[32];		/* "Tue, 24 Nov 2026 09:50:00 GMT" */
	uint32_t date_len;
	uint32_t resp_len;	/* bytes of resp[]; 0: nothing reusable there */
	struct http_key key;	/* what resp[] was composed for */
	char resp[HEAD_MAX + INLINE_BODY_MAX];
};
_Static_assert(sizeof(struct http_worker) <= TCPE_APP_WORKER_SCRATCH, "fits the worker scratch");

#define PUT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static const char *
http_date(struct tcpe_sock *s, struct http_worker *hw, size_t *len)
{
	uint64_t now = tcpe_now_us(s);

	if (now >= hw->stale_at_us) {
		int64_t wall = (int64_t)now + tcpe_wall_offset_us(s);
		time_t sec = (time_t)(wall / 1000000);
		struct tm tm;

		gmtime_r(&sec, &tm);
		hw->date_len = (uint32_t)strftime(hw->date, sizeof(hw->date),
						  "%a, %d %b %Y %H:%M:%S GMT", &tm);
		hw->stale_at_us = now + (uint64_t)(1000000 - wall % 1000000);
		hw->resp_len = 0;	/* the response composed with the old Date */
	}
	*len = hw->date_len;
	return hw->date;
}

static char *
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Whether two keys are the same response. */
static inline bool
key_eq(const struct http_key *a, const struct http_key *b)
{
	return a->clen == b->clen && a->status == b->status && a->inline_body == b->inline_body &&
	       a->close == b->close && a->ka10 == b->ka10;
}

/* Compose the head @p k asks for, and its inline body, into @p hw->resp. */
static void
compose(struct tcpe_sock *s, struct http_worker *hw, const struct http_key *k)
{
	static const char pattern[] = TCPE_BODY_PATTERN;
	char *p = hw->resp;
	size_t dl;
	const char *date = http_date(s, hw, &dl);

	switch (k->status) {
	case 200: p = PUT(p, "HTTP/1.1 200 OK\r\n"); break;
	case 400: p = PUT(p, "HTTP/1.1 400 Bad Request\r\n"); break;
	case 405: p = PUT(p, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n"); break;
	default: p = PUT(p, "HTTP/1.1 431 Request Header Fields Too Large\r\n"); break;
	}
	p = PUT(p, "Server: tcpe\r\nDate: ");
	memcpy(p, date, dl);
	p += dl;
	p = PUT(p, "\r\nContent-Type: text/plain\r\nContent-Length: ");
	p = put_u64(p, k->clen);
	if (k->close)
		p = PUT(p, "\r\nConnection: close\r\n\r\n");
	else if (k->ka10)
		p = PUT(p, "\r\nConnection: keep-alive\r\n\r\n");	/* HTTP/1.0 asked for it */
	else
		p = PUT(p, "\r\n\r\n");
	for (uint32_t i = 0; i < k->inline_body; i += TCPE_BODY_PERIOD) {
		uint32_t n = k->inline_body - i < TCPE_BODY_PERIOD ? k->inline_body - i :
								       TCPE_BODY_PERIOD;

		memcpy(p, pattern, n);
		p += n;
	}
	hw->key = *k;
	hw->resp_len = (uint32_t)(p - hw->resp);
}

/* One response head, with the first @p inline_body bytes of the body pattern behind it (at most
 * INLINE_BODY_MAX); the caller queues the rest of the body, if any. The last one composed is
 * sent again while the Date and every value in the key are the same. */
static bool
send_head(struct tcpe_sock *s, unsigned int status, uint64_t clen, bool close, bool ka10,
	  uint32_t inline_body)
{
	struct http_worker *hw = tcpe_app_worker(s);
	const struct http_key k = { .clen = clen, .status = status, .inline_body = inline_body,
				    .close = close, .ka10 = ka10 };
	size_t dl;

	(void)http_date(s, hw, &dl);	/* a new second: the composed response goes stale */
	if (hw->resp_len == 0 || !key_eq(&hw->key, &k))
		compose(s, hw, &k);
	return tcpe_send(s, hw->resp, hw->resp_len) == hw->resp_len;
}

/* 400, 405, 431: a short body, then close (the peer may have sent more; it is ignored). The
 * room for it was there before the request was parsed. */
static void
refuse(struct tcpe_sock *s, struct http_conn *h, unsigned int status)
{
	static const char *const why[] = { "bad request\n", "method not allowed\n",
					   "request header fields too large\n" };
	const char *b = why[status == 400 ? 0 : status == 405 ? 1 : 2];
	struct tcpe_stats *st = tcpe_stats(s);
	uint32_t bl = (uint32_t)strlen(b);

	st->http_resp_4xx++;
	if (status == 400)
		st->http_bad_request++;
	else if (status == 405)
		st->http_bad_method++;
	else
		st->http_too_large++;
	h->closing = 1;
	if (send_head(s, status, bl, true, false, 0))
		tcpe_send(s, b, bl);
	tcpe_close(s);
}

/* Queue what the send budget takes of the body in progress; the last response's end closes. */
static void
body_more(struct tcpe_sock *s, struct http_conn *h)
{
	if (h->body_left > 0) {
		uint32_t n = tcpe_send_body(s, h->body_left, h->phase);

		h->body_left -= n;
		h->phase = (uint8_t)((h->phase + n) % TCPE_BODY_PERIOD);
	}
	if (h->body_left == 0 && h->closing)
		tcpe_close(s);
}

/* Answer one complete request: the head now, the body as far as the budget goes (body_more()
 * goes on as it opens). */
static void
respond(struct tcpe_sock *s, struct http_conn *h, const struct http_req *req)
{
	const struct tcpe_app_params *prm = tcpe_params(s);
	struct tcpe_stats *st = tcpe_stats(s);
	uint32_t inline_body;
	uint64_t len;

	if (req->method == HTTP_M_OTHER) {
		refuse(s, h, 405);
		return;
	}
	len = req->bytes_target ? (req->bytes < prm->http_max_bytes ? req->bytes :
				   prm->http_max_bytes) : prm->http_body;
	if (prm->http_work_cycles != 0) {
		/* --http-work-ns: the CPU an application would spend on the request */
		uint64_t end = rte_rdtsc() + prm->http_work_cycles;

		while (rte_rdtsc() < end)
			rte_pause();
	}
	st->http_resp_2xx++;
	h->closing = !req->keep_alive;
	if (req->method == HTTP_M_GET) {
		st->http_body_bytes += len;
		h->body_left = (uint32_t)len;	/* http-max-bytes is at most 1 GiB */
		h->phase = 0;
	}
	/* a small body goes with the head, one send (the room for both was there before parsing) */
	inline_body = h->body_left <= INLINE_BODY_MAX ? h->body_left : 0;
	send_head(s, 200, len, !req->keep_alive, req->http10 && req->keep_alive, inline_body);
	h->body_left -= inline_body;
	body_more(s, h);
}

static void
http_accept(struct tcpe_sock *s)
{
	struct http_conn *h = tcpe_app_state(s);

	http_parser_init(&h->p);
	tcpe_set_idle_ms(s, tcpe_params(s)->http_idle_ms);
}

/*
 * Requests, one by one. A request is parsed only once the response before it is queued whole
 * and there is room for the next head: a client that pipelines requests for large bodies
 * behind a closed window gets them one send budget at a time, and its input waits meanwhile.
 */
static uint32_t
http_data(struct tcpe_sock *s, const uint8_t *data, uint32_t len)
{
	struct http_conn *h = tcpe_app_state(s);
	uint32_t max_head = tcpe_params(s)->http_max_header, taken = 0;
	bool answered = false;

	while (taken < len && !h->closing) {
		struct http_req req;
		uint32_t used = 0;
		enum http_result r;

		if (h->body_left > 0 || tcpe_send_space(s) < RESPONSE_ROOM)
			return taken;	/* back-pressured: on_writable brings the rest back */
		if (answered && tcpe_yield(s))
			return taken;	/* the worker polls its port, the rest comes back later */
		r = http_parse(&h->p, data + taken, len - taken, max_head, &req, &used);
		taken += used;
		switch (r) {
		case HTTP_MORE:
			break;
		case HTTP_REQUEST:
			tcpe_stats(s)->http_requests++;
			respond(s, h, &req);
			answered = true;
			break;
		case HTTP_TOO_LARGE:
			refuse(s, h, 431);
			break;
		default:
			refuse(s, h, 400);
			break;
		}
	}
	return len;	/* all parsed, or ignored after the last response */
}

/* Room again after a send was cut short (the peer acknowledged, or the worker's budget freed):
 * more of the body. No on_acked: an ACK that makes room for a waiting body comes here. */
static void
http_more(struct tcpe_sock *s)
{
	body_more(s, tcpe_app_state(s));
}

static void
http_peer_fin(struct tcpe_sock *s)
{
	struct http_conn *h = tcpe_app_state(s);

	/* after every response already queued; one still being produced closes when it is */
	h->closing = 1;
	if (h->body_left == 0)
		tcpe_close(s);
}

const struct tcpe_app app_http = {
	.name = "http",
	.has_state = true,
	.on_accept = http_accept,
	.on_data = http_data,
	.on_writable = http_more,
	.on_peer_fin = http_peer_fin,
	.fin_with_data = true,
};
