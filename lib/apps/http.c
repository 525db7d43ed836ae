/* http.c - HTTP/1.1 responder (RFC 9112): keep-alive, pipelining, GET/HEAD bodies by reference, /bytes/N, 400/405/431. */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "apps.h"
#include "http_parse.h"

/* A connection's state, in the 32 bytes tcpe_app_state() gives. */
struct http_conn {
	struct http_parser p;
	uint8_t closing;	/* a final response is queued: further input is ignored */
};
_Static_assert(sizeof(struct http_conn) <= 32, "fits the per-connection app state");

/* Per-worker: the Date header, formatted at most once a second (RFC 9110 §6.6.1). */
struct http_worker {
	uint64_t stale_at_us;	/* worker clock when the string below goes stale */
	char date[32];		/* "Tue, 24 Nov 2026 09:50:00 GMT" */
};
_Static_assert(sizeof(struct http_worker) <= TCPE_APP_WORKER_SCRATCH, "fits the worker scratch");

#define PUT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static const char *
http_date(struct tcpe_sock *s)
{
	struct http_worker *hw = tcpe_app_worker(s);
	uint64_t now = tcpe_now_us(s);

	if (now >= hw->stale_at_us) {
		int64_t wall = (int64_t)now + tcpe_wall_offset_us(s);
		time_t sec = (time_t)(wall / 1000000);
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(hw->date, sizeof(hw->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		hw->stale_at_us = now + (uint64_t)(1000000 - wall % 1000000);
	}
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

/* One response head; the caller queues the body, if any. */
static bool
send_head(struct tcpe_sock *s, unsigned int status, uint64_t clen, bool close, bool ka10)
{
	char buf[256], *p = buf;
	const char *date = http_date(s);
	size_t dl = strlen(date);

	switch (status) {
	case 200: p = PUT(p, "HTTP/1.1 200 OK\r\n"); break;
	case 400: p = PUT(p, "HTTP/1.1 400 Bad Request\r\n"); break;
	case 405: p = PUT(p, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n"); break;
	default: p = PUT(p, "HTTP/1.1 431 Request Header Fields Too Large\r\n"); break;
	}
	p = PUT(p, "Server: tcpe\r\nDate: ");
	memcpy(p, date, dl);
	p += dl;
	p = PUT(p, "\r\nContent-Type: text/plain\r\nContent-Length: ");
	p = put_u64(p, clen);
	if (close)
		p = PUT(p, "\r\nConnection: close\r\n\r\n");
	else if (ka10)
		p = PUT(p, "\r\nConnection: keep-alive\r\n\r\n");	/* HTTP/1.0 asked for it */
	else
		p = PUT(p, "\r\n\r\n");
	return tcpe_send(s, buf, (uint32_t)(p - buf)) == (uint32_t)(p - buf);
}

/* 400, 405, 431: a short body, then close (the peer may have sent more; it is ignored). */
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
	if (!send_head(s, status, bl, true, false) || tcpe_send(s, b, bl) != bl) {
		tcpe_abort(s);
		return;
	}
	tcpe_close(s);
}

/* Answer one complete request. Returns false when the connection is now closing. */
static bool
respond(struct tcpe_sock *s, struct http_conn *h, const struct http_req *req)
{
	const struct tcpe_app_params *prm = tcpe_params(s);
	struct tcpe_stats *st = tcpe_stats(s);
	uint64_t len;

	if (req->method == HTTP_M_OTHER) {
		refuse(s, h, 405);
		return false;
	}
	len = req->bytes_target ? (req->bytes < prm->http_max_bytes ? req->bytes :
				   prm->http_max_bytes) : prm->http_body;
	if (!send_head(s, 200, len, !req->keep_alive, req->http10 && req->keep_alive) ||
	    (req->method == HTTP_M_GET && len > 0 && tcpe_send_body(s, len) != len)) {
		tcpe_abort(s);	/* the mbuf pool is dry: a reset beats a truncated body */
		return false;
	}
	st->http_resp_2xx++;
	if (req->method == HTTP_M_GET)
		st->http_body_bytes += len;
	if (!req->keep_alive) {
		h->closing = 1;
		tcpe_close(s);
		return false;
	}
	return true;
}

static void
http_accept(struct tcpe_sock *s)
{
	struct http_conn *h = tcpe_app_state(s);

	http_parser_init(&h->p);
	tcpe_set_idle_ms(s, tcpe_params(s)->http_idle_ms);
}

static void
http_data(struct tcpe_sock *s, const uint8_t *data, uint32_t len)
{
	struct http_conn *h = tcpe_app_state(s);
	uint32_t max_head = tcpe_params(s)->http_max_header;

	while (len > 0 && !h->closing) {
		struct http_req req;
		uint32_t used = 0;
		enum http_result r = http_parse(&h->p, data, len, max_head, &req, &used);

		data += used;
		len -= used;
		switch (r) {
		case HTTP_MORE:
			return;
		case HTTP_REQUEST:
			tcpe_stats(s)->http_requests++;
			if (!respond(s, h, &req))
				return;
			break;
		case HTTP_TOO_LARGE:
			refuse(s, h, 431);
			return;
		default:
			refuse(s, h, 400);
			return;
		}
	}
}

static void
http_peer_fin(struct tcpe_sock *s)
{
	tcpe_close(s);	/* after every response already queued */
}

const struct tcpe_app app_http = {
	.name = "http",
	.on_accept = http_accept,
	.on_data = http_data,
	.on_peer_fin = http_peer_fin,
	.fin_with_data = true,
};
