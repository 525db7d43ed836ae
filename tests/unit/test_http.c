/* test_http.c - the streaming HTTP/1.1 request parser: every split point, pipelining, limits, bad input. */
#include <string.h>

#include "http_parse.h"
#include "tcp_suites.h"

#define MAXH 8192

struct outcome {
	enum http_result r[16];
	struct http_req req[16];
	unsigned int n;
};

/* Feed @p s in pieces cut at @p cuts (ascending offsets); collect every result. */
static void
feed(const char *s, size_t len, const size_t *cuts, unsigned int ncuts, uint32_t max_head,
     struct outcome *o)
{
	struct http_parser p;
	size_t from = 0;

	http_parser_init(&p);
	memset(o, 0, sizeof(*o));
	for (unsigned int k = 0; k <= ncuts; k++) {
		size_t to = k < ncuts ? cuts[k] : len;
		const uint8_t *b = (const uint8_t *)s + from;
		uint32_t left = (uint32_t)(to - from);

		while (left > 0 && o->n < 16) {
			uint32_t used = 0;
			struct http_req req;
			enum http_result r = http_parse(&p, b, left, max_head, &req, &used);

			CU_ASSERT(used <= left);
			b += used;
			left -= used;
			if (r == HTTP_MORE)
				break;
			o->r[o->n] = r;
			o->req[o->n] = req;
			o->n++;
			if (r != HTTP_REQUEST)
				return;
		}
		from = to;
	}
}

static void
one(const char *s, uint32_t max_head, struct outcome *o)
{
	feed(s, strlen(s), NULL, 0, max_head, o);
}

static enum http_result
verdict(const char *s)
{
	struct outcome o;

	one(s, MAXH, &o);
	return o.n ? o.r[0] : HTTP_MORE;
}

static void
get_parses_with_keep_alive_by_default(void)
{
	struct outcome o;

	one("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n", MAXH, &o);
	CU_ASSERT_EQUAL_FATAL(o.n, 1);
	CU_ASSERT_EQUAL(o.r[0], HTTP_REQUEST);
	CU_ASSERT_EQUAL(o.req[0].method, HTTP_M_GET);
	CU_ASSERT_TRUE(o.req[0].keep_alive);
	CU_ASSERT_FALSE(o.req[0].bytes_target);
	one("HEAD /index.html HTTP/1.1\n\n", MAXH, &o);	/* bare LF line ends (RFC 9112 §2.2) */
	CU_ASSERT_EQUAL(o.req[0].method, HTTP_M_HEAD);
	one("\r\n\r\nGET / HTTP/1.1\r\n\r\n", MAXH, &o);	/* empty lines before: skipped */
	CU_ASSERT_EQUAL(o.r[0], HTTP_REQUEST);
}

static void
connection_header_and_version_decide_keep_alive(void)
{
	struct outcome o;

	one("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", MAXH, &o);
	CU_ASSERT_FALSE(o.req[0].keep_alive);
	one("GET / HTTP/1.1\r\nconnection:  Upgrade, CLOSE \r\n\r\n", MAXH, &o);
	CU_ASSERT_FALSE(o.req[0].keep_alive);
	one("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", MAXH, &o);	/* not the token */
	CU_ASSERT_TRUE(o.req[0].keep_alive);
	one("GET / HTTP/1.0\r\n\r\n", MAXH, &o);			/* 1.0: close by default */
	CU_ASSERT_FALSE(o.req[0].keep_alive);
	CU_ASSERT_TRUE(o.req[0].http10);
	one("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", MAXH, &o);
	CU_ASSERT_TRUE(o.req[0].keep_alive);
	one("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", MAXH, &o);	/* another header */
	CU_ASSERT_TRUE(o.req[0].keep_alive);
}

static void
bytes_target_is_parsed(void)
{
	struct outcome o;

	one("GET /bytes/123456 HTTP/1.1\r\n\r\n", MAXH, &o);
	CU_ASSERT_TRUE(o.req[0].bytes_target);
	CU_ASSERT_EQUAL(o.req[0].bytes, 123456);
	one("GET /bytes/5?x=1 HTTP/1.1\r\n\r\n", MAXH, &o);
	CU_ASSERT_TRUE(o.req[0].bytes_target);
	CU_ASSERT_EQUAL(o.req[0].bytes, 5);
	one("GET /bytes/ HTTP/1.1\r\n\r\n", MAXH, &o);
	CU_ASSERT_FALSE(o.req[0].bytes_target);
	one("GET /bytes/12x HTTP/1.1\r\n\r\n", MAXH, &o);
	CU_ASSERT_FALSE(o.req[0].bytes_target);
	one("GET /byte/12 HTTP/1.1\r\n\r\n", MAXH, &o);
	CU_ASSERT_FALSE(o.req[0].bytes_target);
	one("GET /bytes/99999999999999999999999 HTTP/1.1\r\nConnection: close\r\n\r\n", MAXH, &o);
	CU_ASSERT_TRUE(o.req[0].bytes_target);
	CU_ASSERT_EQUAL(o.req[0].bytes, 1000000000000000ULL);	/* saturates */
	CU_ASSERT_FALSE(o.req[0].keep_alive);
}

static void
other_methods_are_recognised_as_such(void)
{
	struct outcome o;
	static const char *const m[] = { "POST", "DELETE", "GETX", "GE", "HEADS", "OPTIONS" };

	for (unsigned int i = 0; i < 6; i++) {
		char req[64];

		snprintf(req, sizeof(req), "%s / HTTP/1.1\r\n\r\n", m[i]);
		one(req, MAXH, &o);
		CU_ASSERT_EQUAL(o.r[0], HTTP_REQUEST);
		CU_ASSERT_EQUAL(o.req[0].method, HTTP_M_OTHER);
	}
}

static void
malformed_requests_are_bad(void)
{
	static const char *const bad[] = {
		"GET /\r\n\r\n",				/* no version */
		"GET / HTTP/2.0\r\n\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",			/* two spaces */
		"GET http://x/ HTTP/1.1\r\n\r\n",		/* absolute-form: not ours */
		"G(T / HTTP/1.1\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\rX\n\r\n",			/* CR not followed by LF */
		"GET / HTTP/1.1\r\nHost : x\r\n\r\n",		/* space before the colon */
		"GET / HTTP/1.1\r\n: x\r\n\r\n",		/* empty name */
		"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",	/* obs-fold */
		"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n",	/* control byte */
		"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: \r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
		"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\n\r\n",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum http_result r = verdict(bad[i]);

		if (r != HTTP_BAD)
			fprintf(stderr, "\n    not refused: %s", bad[i]);
		CU_ASSERT_EQUAL(r, HTTP_BAD);
	}
}

static void
oversized_heads_are_too_large(void)
{
	char big[10000];
	struct outcome o;
	size_t n;

	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX: ");
	memset(big + n, 'a', 9000);
	memcpy(big + n + 9000, "\r\n\r\n", 5);
	one(big, MAXH, &o);
	CU_ASSERT_EQUAL(o.r[0], HTTP_TOO_LARGE);
	/* exactly at the limit is fine, one byte more is not */
	one("GET / HTTP/1.1\r\n\r\n", 18, &o);
	CU_ASSERT_EQUAL(o.r[0], HTTP_REQUEST);
	one("GET / HTTP/1.1\r\n\r\n", 17, &o);
	CU_ASSERT_EQUAL(o.r[0], HTTP_TOO_LARGE);
	/* the limit is per request, not per connection */
	one("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", 18, &o);
	CU_ASSERT_EQUAL(o.n, 3);
	CU_ASSERT_EQUAL(o.r[2], HTTP_REQUEST);
}

/* Ten pipelined requests, including bodies to skip, answered one by one in order. */
static const char pipeline[] =
	"GET /bytes/1 HTTP/1.1\r\nHost: t\r\n\r\n"
	"HEAD /bytes/2 HTTP/1.1\r\n\r\n"
	"POST /bytes/3 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
	"GET /bytes/4 HTTP/1.1\r\nconnection: keep-alive\r\n\r\n"
	"GET /bytes/5 HTTP/1.1\n\n"
	"GET /bytes/6 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
	"GET /bytes/7?q HTTP/1.1\r\n\r\n"
	"HEAD /bytes/8 HTTP/1.1\r\n\r\n"
	"GET /bytes/9 HTTP/1.1\r\n\r\n"
	"GET /bytes/10 HTTP/1.1\r\nConnection: close\r\n\r\n";

static void
check_pipeline(const struct outcome *o)
{
	CU_ASSERT_EQUAL_FATAL(o->n, 10);
	for (unsigned int i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(o->r[i], HTTP_REQUEST);
		CU_ASSERT_TRUE(o->req[i].bytes_target);
		CU_ASSERT_EQUAL(o->req[i].bytes, i + 1);
		CU_ASSERT_EQUAL(o->req[i].keep_alive, i != 9);
	}
	CU_ASSERT_EQUAL(o->req[1].method, HTTP_M_HEAD);
	CU_ASSERT_EQUAL(o->req[2].method, HTTP_M_OTHER);
	CU_ASSERT_EQUAL(o->req[3].method, HTTP_M_GET);
}

static void
pipelined_requests_come_out_in_order(void)
{
	struct outcome o;

	feed(pipeline, sizeof(pipeline) - 1, NULL, 0, MAXH, &o);
	check_pipeline(&o);
}

/* The same bytes cut anywhere (one cut, two cuts, byte by byte) give the same requests. */
static void
any_split_gives_the_same_requests(void)
{
	size_t len = sizeof(pipeline) - 1;
	struct outcome o;
	size_t cuts[2048];

	for (size_t i = 1; i < len; i++) {
		cuts[0] = i;
		feed(pipeline, len, cuts, 1, MAXH, &o);
		check_pipeline(&o);
		if (i + 7 < len) {
			cuts[1] = i + 7;
			feed(pipeline, len, cuts, 2, MAXH, &o);
			check_pipeline(&o);
		}
	}
	for (size_t i = 0; i + 1 < len; i++)
		cuts[i] = i + 1;
	feed(pipeline, len, cuts, (unsigned int)(len - 1), MAXH, &o);	/* byte by byte */
	check_pipeline(&o);
}

static void
nothing_is_accepted_after_an_error(void)
{
	struct http_parser p;
	struct http_req req;
	uint32_t used;
	const uint8_t bad[] = "GET / HTTP/9.9\r\n\r\n";
	const uint8_t good[] = "GET / HTTP/1.1\r\n\r\n";

	http_parser_init(&p);
	CU_ASSERT_EQUAL(http_parse(&p, bad, sizeof(bad) - 1, MAXH, &req, &used), HTTP_BAD);
	CU_ASSERT_EQUAL(http_parse(&p, good, sizeof(good) - 1, MAXH, &req, &used), HTTP_BAD);
}

/*
 * The parser's whole-line fast paths (plain request lines and header lines found complete in one
 * buffer) must decide exactly as the byte-at-a-time path does: the same requests, fields and
 * verdicts for 20 000 mutated requests, whole versus fed one byte per call (which never
 * has a whole line at hand), under a roomy and a tight head limit.
 */
static uint32_t rng_state = 2463534242u;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
same_outcome(const struct outcome *a, const struct outcome *b)
{
	CU_ASSERT_EQUAL_FATAL(a->n, b->n);
	for (unsigned int i = 0; i < a->n; i++) {
		CU_ASSERT_EQUAL_FATAL(a->r[i], b->r[i]);
		if (a->r[i] != HTTP_REQUEST)
			continue;
		CU_ASSERT_EQUAL_FATAL(a->req[i].method, b->req[i].method);
		CU_ASSERT_EQUAL_FATAL(a->req[i].keep_alive, b->req[i].keep_alive);
		CU_ASSERT_EQUAL_FATAL(a->req[i].bytes_target, b->req[i].bytes_target);
		CU_ASSERT_EQUAL_FATAL(a->req[i].http10, b->req[i].http10);
		CU_ASSERT_EQUAL_FATAL(a->req[i].bytes, b->req[i].bytes);
	}
}

static void
fast_paths_agree_with_the_byte_path(void)
{
	static const char *const base[] = {
		"GET / HTTP/1.1\r\nHost: 198.18.0.1\r\nUser-Agent: tcpe\r\n\r\n",
		"GET /a/b?c=d HTTP/1.0\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n",
		"HEAD /x HTTP/1.1\nHost: h\nConnection: close\n\n",
		"GET /bytes/1234 HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n\r\n",
		"POST /p HTTP/1.1\r\nContent-Length: 3\r\nX-A: b\r\n\r\nabcGET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"\r\nGET / HTTP/1.1\r\nX: \t v \r\n\r\n",
		/* values longer than the 16 bytes the value scan takes a step, names in any case */
		"GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) tcpe-test/1.0 abcdefgh\r\n"
		"cOnNeCtIoN: CLOSE\r\n\r\n",
		"GET /q HTTP/1.1\nAccept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\n"
		"CONNECTION:Keep-Alive\t\n\n",
	};
	static const char alphabet[] = " :\r\n\t\x7f\x01aZ0/-.?\xff{_@";
	char buf[160];
	size_t cuts[160];
	unsigned int checked = 0;

	for (unsigned int round = 0; round < 20000; round++) {
		const char *b = base[round % (sizeof(base) / sizeof(base[0]))];
		size_t len = strlen(b);
		unsigned int muts = round < (sizeof(base) / sizeof(base[0])) ? 0 : 1 + rnd() % 3;
		uint32_t limit = (round & 1) ? MAXH : 24 + rnd() % 40;
		struct outcome whole, bytes;

		memcpy(buf, b, len);
		for (unsigned int m = 0; m < muts; m++) {
			size_t at = rnd() % len;
			char c = alphabet[rnd() % (sizeof(alphabet) - 1)];

			switch (rnd() % 3) {
			case 0:		/* replace */
				buf[at] = c;
				break;
			case 1:		/* insert */
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = c;
					len++;
				}
				break;
			default:	/* delete */
				if (len > 1) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
				break;
			}
		}
		for (size_t i = 1; i < len; i++)
			cuts[i - 1] = i;
		feed(buf, len, NULL, 0, limit, &whole);
		feed(buf, len, cuts, (unsigned int)(len - 1), limit, &bytes);
		same_outcome(&whole, &bytes);
		checked++;
	}
	CU_ASSERT_EQUAL(checked, 20000);
}

/* Header names and tokens compare without case, but only letters: a byte that differs from the
 * expected one by 0x20 and is not a letter does not match. */
static void
names_compare_without_case_and_only_letters(void)
{
	CU_ASSERT_TRUE(http_ci_eq((const uint8_t *)"Keep-Alive", "keep-alive", 10));
	CU_ASSERT_TRUE(http_ci_eq((const uint8_t *)"CONTENT-LENGTH:", "content-length:", 15));
	CU_ASSERT_TRUE(http_ci_eq((const uint8_t *)"close", "close", 5));
	CU_ASSERT_FALSE(http_ci_eq((const uint8_t *)"keep\ralive", "keep-alive", 10));
	CU_ASSERT_FALSE(http_ci_eq((const uint8_t *)"content-length\x1a", "content-length:", 15));
	CU_ASSERT_FALSE(http_ci_eq((const uint8_t *)"@", "`", 1));
	CU_ASSERT_FALSE(http_ci_eq((const uint8_t *)"closf", "close", 5));
	CU_ASSERT_FALSE(http_ci_eq((const uint8_t *)"User-Agent", "connection", 10));
	CU_ASSERT_TRUE(http_ci_eq((const uint8_t *)"x", "y", 0));
	{
		struct outcome o;

		one("GET / HTTP/1.1\r\nConnection: CLOSE\r\n\r\n", MAXH, &o);
		CU_ASSERT_EQUAL_FATAL(o.n, 1);
		CU_ASSERT_EQUAL(o.r[0], HTTP_REQUEST);
		CU_ASSERT_FALSE(o.req[0].keep_alive);
	}
}

/* http_lf() finds the first LF wherever it falls against its 32- and 16-byte steps and its byte
 * tail, from any start, and never beyond the end it is given. */
static void
lf_is_found_at_every_position(void)
{
	uint8_t buf[80];

	for (uint32_t n = 0; n <= sizeof(buf); n++) {
		for (uint32_t at = 0; at <= n; at++) {
			memset(buf, 'a', sizeof(buf));
			if (at < n)
				buf[at] = '\n';
			if (n < sizeof(buf))
				buf[n] = '\n';	/* past the end: never found */
			for (uint32_t from = 0; from <= at && from <= n; from += 7)
				CU_ASSERT_EQUAL_FATAL(http_lf(buf, from, n), at);
		}
	}
	memset(buf, '\n', sizeof(buf));
	CU_ASSERT_EQUAL(http_lf(buf, 33, sizeof(buf)), 33);
	buf[33] = 0x8a;		/* a byte with the high bit set is not LF */
	CU_ASSERT_EQUAL(http_lf(buf, 33, sizeof(buf)), 34);
}

/* "content-length:" is recognised in every case of its letters and in no other 15 bytes: every
 * one-byte change that is not a letter's case is refused. */
static void
content_length_name_in_any_case(void)
{
	static const char name[] = "content-length:";
	uint8_t buf[15];
	unsigned int letters[15], nl = 0, hits = 0;

	for (unsigned int i = 0; i < 15; i++)
		if (name[i] >= 'a' && name[i] <= 'z')
			letters[nl++] = i;
	CU_ASSERT_EQUAL_FATAL(nl, 13);
	for (unsigned int m = 0; m < (1u << nl); m++) {
		memcpy(buf, name, 15);
		for (unsigned int j = 0; j < nl; j++)
			if (m & (1u << j))
				buf[letters[j]] = (uint8_t)(buf[letters[j]] - 32);
		hits += http_is_content_length(buf);
	}
	CU_ASSERT_EQUAL(hits, 1u << nl);
	for (unsigned int i = 0; i < 15; i++) {
		for (unsigned int v = 0; v < 256; v++) {
			bool same = v == (uint8_t)name[i] ||
				    (name[i] >= 'a' && name[i] <= 'z' && v == (uint8_t)(name[i] - 32));

			memcpy(buf, name, 15);
			buf[i] = (uint8_t)v;
			CU_ASSERT_EQUAL_FATAL(http_is_content_length(buf), same);
		}
	}
}

static const struct test_case cases[] = {
	TEST(get_parses_with_keep_alive_by_default),
	TEST(connection_header_and_version_decide_keep_alive),
	TEST(bytes_target_is_parsed),
	TEST(other_methods_are_recognised_as_such),
	TEST(malformed_requests_are_bad),
	TEST(oversized_heads_are_too_large),
	TEST(pipelined_requests_come_out_in_order),
	TEST(any_split_gives_the_same_requests),
	TEST(nothing_is_accepted_after_an_error),
	TEST(fast_paths_agree_with_the_byte_path),
	TEST(names_compare_without_case_and_only_letters),
	TEST(lf_is_found_at_every_position),
	TEST(content_length_name_in_any_case),
	{ NULL, NULL },
};

int
suite_http(void)
{
	return add_suite("http request parser", cases);
}
