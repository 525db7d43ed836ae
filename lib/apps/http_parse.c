/* http_parse.c - byte-at-a-time HTTP/1.1 request-head state machine (RFC 9112 §2-3, §5, §9.3). */
#include "http_parse.h"

#include <string.h>

enum {
	S_START,	/* before a request line; empty lines are skipped (§2.2) */
	S_METHOD,
	S_TARGET0,
	S_TARGET,
	S_VERSION,
	S_VMINOR,
	S_RL_END,	/* after the minor version: CR or LF */
	S_RL_LF,	/* after CR: LF */
	S_HSTART,
	S_HNAME,
	S_HVALUE,
	S_HLF,
	S_END_LF,
	S_BODY,
	S_DEAD,
};

enum {
	F_HTTP10 = 1u << 0,
	F_CLOSE = 1u << 1,
	F_KEEPALIVE = 1u << 2,
	F_BYTES = 1u << 3,
	F_TE = 1u << 4,
	F_CLEN = 1u << 5,
	F_VAL_DIGITS = 1u << 6,	/* Content-Length: a digit was seen */
	F_VAL_DONE = 1u << 7,	/* Content-Length: OWS after the digits */
};

/* header names we interpret */
enum { H_CONNECTION = 1, H_CONTENT_LENGTH = 2, H_TRANSFER_ENCODING = 4 };
#define HN_CONN "connection"
#define HN_CLEN "content-length"
#define HN_TE "transfer-encoding"
static const char *const hnames[] = { HN_CONN, HN_CLEN, HN_TE };
static const uint8_t hname_len[] = { sizeof(HN_CONN) - 1, sizeof(HN_CLEN) - 1, sizeof(HN_TE) - 1 };
/* Whether a name of @p k bytes can be one of them: most are not (Host, User-Agent...). */
#define HNAME_LEN_OK(k) ((k) == sizeof(HN_CONN) - 1 || (k) == sizeof(HN_CLEN) - 1 || \
			 (k) == sizeof(HN_TE) - 1)

/* target sub-states kept in cand while in S_TARGET */
enum { T_OTHER, T_PREFIX, T_DIGITS, T_QUERY };

#define BYTES_PREFIX "/bytes/"
#define NUM_MAX 1000000000000000ULL
#define CLEN_MAX 0x7fffffffu

/* RFC 9110 §5.6.2 token characters, as a bitmap: one load per byte on the hot path. */
static const uint64_t tchar_map[4] = {
	/* '!' '#'-'\'' '*' '+' '-' '.' '0'-'9' */
	(1ULL << '!') | (0x1FULL << '#') | (1ULL << '*') | (1ULL << '+') | (1ULL << '-') |
		(1ULL << '.') | (0x3FFULL << '0'),
	/* 'A'-'Z' '^' '_' '`' 'a'-'z' '|' '~' (bit = c - 64) */
	(0x3FFFFFFULL << ('A' - 64)) | (1ULL << ('^' - 64)) | (1ULL << ('_' - 64)) |
		(1ULL << ('`' - 64)) | (0x3FFFFFFULL << ('a' - 64)) | (1ULL << ('|' - 64)) |
		(1ULL << ('~' - 64)),
	0, 0,
};

static inline bool
is_tchar(uint8_t c)
{
	return (tchar_map[c >> 6] >> (c & 63)) & 1;
}

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

void
http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static void
start_request(struct http_parser *p)
{
	p->state = p->body_left ? S_BODY : S_START;
	p->idx = 0;
	p->cand = 0;
	p->method = HTTP_M_NONE;
	p->flags = 0;
	p->vcand = 0;
	p->head = 0;
	p->num = 0;
}

static enum http_result
finish(struct http_parser *p, struct http_req *req)
{
	if (p->flags & F_TE)
		return HTTP_BAD;	/* no request bodies in chunks: we cannot frame them */
	req->method = p->method;
	req->http10 = (p->flags & F_HTTP10) != 0;
	req->keep_alive = req->http10 ? (p->flags & F_KEEPALIVE) && !(p->flags & F_CLOSE) :
					!(p->flags & F_CLOSE);
	req->bytes_target = (p->flags & F_BYTES) != 0;
	req->bytes = p->num;
	start_request(p);	/* body_left was set by Content-Length */
	return HTTP_REQUEST;
}

/* Method token: GET and HEAD are ours, any other token is a method we do not allow. */
static int
method_byte(struct http_parser *p, uint8_t c)
{
	static const char *const m[] = { "GET", "HEAD" };
	static const uint8_t mlen[] = { 3, 4 };

	if (c == ' ') {
		if (p->idx == 0)
			return -1;
		p->method = (p->cand & 1) && p->idx == 3 ? HTTP_M_GET :
			    (p->cand & 2) && p->idx == 4 ? HTTP_M_HEAD : HTTP_M_OTHER;
		p->state = S_TARGET0;
		return 0;
	}
	if (!is_tchar(c))
		return -1;
	for (unsigned int i = 0; i < 2; i++)
		if ((p->cand & (1u << i)) && (p->idx >= mlen[i] || m[i][p->idx] != c))
			p->cand &= (uint8_t)~(1u << i);
	if (p->idx < 255)
		p->idx++;
	return 0;
}

/* Request target (origin-form only) and the /bytes/N special case. */
static int
target_byte(struct http_parser *p, uint8_t c)
{
	if (c == ' ') {
		if ((p->cand == T_DIGITS || p->cand == T_QUERY) && p->idx > sizeof(BYTES_PREFIX) - 1)
			p->flags |= F_BYTES;	/* at least one digit */
		p->state = S_VERSION;
		p->idx = 0;
		return 0;
	}
	if (c <= 0x20 || c >= 0x7f)
		return -1;
	switch (p->cand) {
	case T_PREFIX:
		if (c != (uint8_t)BYTES_PREFIX[p->idx])
			p->cand = T_OTHER;
		else if (++p->idx == sizeof(BYTES_PREFIX) - 1)
			p->cand = T_DIGITS;
		break;
	case T_DIGITS:
		if (c >= '0' && c <= '9') {
			p->num = p->num * 10 + (uint64_t)(c - '0');
			if (p->num > NUM_MAX)
				p->num = NUM_MAX;
			if (p->idx < 255)
				p->idx++;
		} else if (c == '?' && p->idx > sizeof(BYTES_PREFIX) - 1) {
			p->cand = T_QUERY;
		} else {
			p->cand = T_OTHER;
			p->num = 0;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int
version_byte(struct http_parser *p, uint8_t c)
{
	static const char v[] = "HTTP/1.";

	if (p->state == S_VERSION) {
		if (c != (uint8_t)v[p->idx])
			return -1;
		if (++p->idx == sizeof(v) - 1)
			p->state = S_VMINOR;
		return 0;
	}
	if (c == '0')
		p->flags |= F_HTTP10;
	else if (c != '1')
		return -1;	/* HTTP/1.2+ do not exist; 2 and 3 do not use this syntax */
	p->state = S_RL_END;
	return 0;
}

static int
hname_byte(struct http_parser *p, uint8_t c)
{
	if (c == ':') {
		uint8_t hit = 0;

		if (p->idx == 0)
			return -1;
		for (unsigned int i = 0; i < 3; i++)
			if ((p->cand & (1u << i)) && p->idx == hname_len[i])
				hit = (uint8_t)(1u << i);
		if (hit == H_CONTENT_LENGTH && (p->flags & F_CLEN))
			return -1;	/* a second Content-Length: refuse, do not guess */
		if (hit == H_CONTENT_LENGTH) {
			p->flags |= F_CLEN;
			p->body_left = 0;
		}
		if (hit == H_TRANSFER_ENCODING)
			p->flags |= F_TE;
		p->cand = hit;
		p->idx = 0;
		p->vcand = 3;
		p->state = S_HVALUE;
		return 0;
	}
	if (!is_tchar(c))
		return -1;	/* includes whitespace before the colon (§5.1) */
	for (unsigned int i = 0; p->cand != 0 && i < 3; i++)
		if ((p->cand & (1u << i)) &&
		    (p->idx >= hname_len[i] || (uint8_t)hnames[i][p->idx] != lower(c)))
			p->cand &= (uint8_t)~(1u << i);
	if (p->idx < 255)
		p->idx++;
	return 0;
}

/* Connection: a comma list; its "close" and "keep-alive" tokens count (RFC 9110 §7.6.1). */
static void
connection_token_end(struct http_parser *p)
{
	if (p->idx == 5 && (p->vcand & 1))
		p->flags |= F_CLOSE;
	else if (p->idx == 10 && (p->vcand & 2))
		p->flags |= F_KEEPALIVE;
	p->idx = 0;
	p->vcand = 3;
}

static int
hvalue_byte(struct http_parser *p, uint8_t c)
{
	bool end = c == '\r' || c == '\n';

	if (!end && c < 0x20 && c != '\t')
		return -1;
	if (c == 0x7f)
		return -1;
	if (p->cand == H_CONNECTION) {
		static const char *const tok[] = { "close", "keep-alive" };

		if (end || c == ',' || c == ' ' || c == '\t') {
			connection_token_end(p);
		} else {
			for (unsigned int i = 0; i < 2; i++)
				if ((p->vcand & (1u << i)) && (p->idx >= strlen(tok[i]) ||
							       (uint8_t)tok[i][p->idx] != lower(c)))
					p->vcand &= (uint8_t)~(1u << i);
			if (p->idx < 255)
				p->idx++;
		}
	} else if (p->cand == H_CONTENT_LENGTH && !end) {
		if (c >= '0' && c <= '9') {
			if (p->flags & F_VAL_DONE)
				return -1;
			p->flags |= F_VAL_DIGITS;
			if ((uint64_t)p->body_left * 10 + (uint32_t)(c - '0') > CLEN_MAX)
				return -1;
			p->body_left = p->body_left * 10 + (uint32_t)(c - '0');
		} else if (c == ' ' || c == '\t') {
			if (p->flags & F_VAL_DIGITS)
				p->flags |= F_VAL_DONE;
		} else {
			return -1;
		}
	}
	if (end) {
		if (p->cand == H_CONTENT_LENGTH && !(p->flags & F_VAL_DIGITS))
			return -1;
		p->flags &= (uint16_t)~(F_VAL_DIGITS | F_VAL_DONE);
		p->state = c == '\r' ? S_HLF : S_HSTART;
	}
	return 0;
}

/* The mask of the bytes of the 16 at @p s that a field value may not hold (a control character
 * other than HTAB: CR and LF included; DEL): bit j for s[j]. */
#if defined(__SSE2__)
static inline unsigned int
ctl_mask(const uint8_t *s)
{
	const __m128i lim = _mm_set1_epi8(0x1f), tab = _mm_set1_epi8('\t'),
		      del = _mm_set1_epi8(0x7f);
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	/* unsigned v <= 0x1f, except HTAB; or DEL (bytes from 0x80 are obs-text: allowed) */
	__m128i ctl = _mm_andnot_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(_mm_min_epu8(v, lim), v));

	return (unsigned int)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, del)));
}

/* The mask of the bytes of the 16 at @p s that are letters, digits or '-': bit j for s[j]. */
static inline unsigned int
name_mask(const uint8_t *s)
{
	const __m128i low = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a'), z = _mm_set1_epi8('z'),
		      d0 = _mm_set1_epi8('0'), d9 = _mm_set1_epi8('9'), dash = _mm_set1_epi8('-');
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i l = _mm_or_si128(v, low);
	/* unsigned range tests: x in [lo, hi] when max(x, lo) == x and min(x, hi) == x */
	__m128i alpha = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(l, a), l),
				      _mm_cmpeq_epi8(_mm_min_epu8(l, z), l));
	__m128i digit = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, d0), v),
				      _mm_cmpeq_epi8(_mm_min_epu8(v, d9), v));

	return (unsigned int)_mm_movemask_epi8(
		_mm_or_si128(_mm_or_si128(alpha, digit), _mm_cmpeq_epi8(v, dash)));
}
#endif

/* The index of the first byte at or after @p i of @p s[0..n) that a field value may not hold,
 * or @p n when there is none. Sixteen bytes a step where SSE2 is there (a header line is tens
 * of bytes); the last step is the 16 bytes that end at @p n, the ones before @p i shifted out,
 * so a line near the end of the buffer is not walked byte by byte. */
static inline uint32_t
first_ctl(const uint8_t *s, uint32_t i, uint32_t n)
{
#if defined(__SSE2__)
	for (; i + 16 <= n; i += 16) {
		unsigned int mask = ctl_mask(s + i);

		if (mask != 0)
			return i + (uint32_t)__builtin_ctz(mask);
	}
	if (i < n && n >= 16) {
		unsigned int mask = ctl_mask(s + n - 16) >> (i - (n - 16));

		return mask != 0 ? i + (uint32_t)__builtin_ctz(mask) : n;
	}
#endif
	for (; i < n; i++)
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return i;
	return n;
}

/* The index of the first byte of @p s[0..n) that is not a token character (a header name's
 * end: its colon, where the line is well formed), or @p n. Letters, digits and '-' - what
 * names are made of - are taken sixteen a step where SSE2 is there (the last step: the 16 bytes
 * that end at @p n); the other token characters byte by byte. */
static inline uint32_t
token_end(const uint8_t *s, uint32_t n)
{
	uint32_t i = 0;

#if defined(__SSE2__)
	unsigned int stop = 0;	/* bits of bytes at or after i that are not letters, digits, '-' */

	for (; i + 16 <= n; i += 16) {
		stop = ~name_mask(s + i) & 0xffff;
		if (stop != 0)
			break;
	}
	if (stop == 0 && i < n && n >= 16)
		stop = (~name_mask(s + n - 16) & 0xffff) >> (i - (n - 16));
	if (stop != 0) {
		i += (uint32_t)__builtin_ctz(stop);
		if (s[i] == ':')
			return i;	/* the usual end: no other token characters */
	} else if (n >= 16) {
		return n;
	}
#endif
	while (i < n && is_tchar(s[i]))
		i++;
	return i;
}

/*
 * A whole header line at @p s that none of the rules below interprets (Host, User-Agent,
 * Accept...), or a Connection header of a single close or keep-alive token: checked in one
 * pass instead of byte by byte. Returns the bytes it consumed, or 0
 * to leave the line to the byte-at-a-time path: when the line is not complete in this buffer,
 * exceeds the head limit, names a header we interpret, or has anything the byte path would
 * refuse (that path then refuses it at the exact byte). No state changes unless it consumed.
 */
static uint32_t
plain_header_line(struct http_parser *p, const uint8_t *s, uint32_t n, uint32_t max_head)
{
	uint32_t len, k = token_end(s, n), end;
	unsigned int conn = 0;	/* the name: 1 Connection, 2 another header we interpret */

	if (k == 0 || k == n || s[k] != ':')
		return 0;
	/* the value ends at its first control byte: LF, or CR LF; any other is for the byte path
	 * (as is a line not complete in this buffer) */
	end = first_ctl(s, k + 1, n);
	if (end < n && s[end] == '\n')
		len = end + 1;
	else if (end + 1 < n && s[end] == '\r' && s[end + 1] == '\n')
		len = end + 2;
	else
		return 0;
	if (p->head + len > max_head)
		return 0;
	if (HNAME_LEN_OK(k))
		for (unsigned int i = 0; i < 3; i++)
			if (k == hname_len[i] && http_ci_eq(s, hnames[i], k))
				conn = i == 0 ? 1 : 2;
	if (conn == 2)
		return 0;			/* Content-Length, Transfer-Encoding */
	if (conn) {
		/* Connection: one token, "close" or "keep-alive", with optional whitespace */
		uint32_t a = k + 1, b = end;

		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		if (b - a == 5 && http_ci_eq(s + a, "close", 5))
			p->flags |= F_CLOSE;
		else if (b - a == 10 && http_ci_eq(s + a, "keep-alive", 10))
			p->flags |= F_KEEPALIVE;
		else
			return 0;		/* a list, or another token: the byte path */
	}
	p->head += len;
	return len;
}

/*
 * The common request line, whole in this buffer: "GET " or "HEAD ", an origin-form target that
 * is not /bytes/N, " HTTP/1.1" or " HTTP/1.0", then CRLF or LF. Leaves the parser where the byte
 * path would (headers next) and returns the bytes consumed; 0 (nothing changed) for anything
 * else, which the byte path then takes, refusals included.
 */
static uint32_t
plain_request_line(struct http_parser *p, const uint8_t *s, uint32_t n, uint32_t max_head)
{
	uint32_t len = http_lf(s, 0, n) + 1, k, t, v;
	uint8_t method;

	if (len > n)
		return 0;	/* no LF in this buffer */
	if (len > max_head)
		return 0;
	if (len > 4 && memcmp(s, "GET ", 4) == 0) {
		method = HTTP_M_GET;
		k = 4;
	} else if (len > 5 && memcmp(s, "HEAD ", 5) == 0) {
		method = HTTP_M_HEAD;
		k = 5;
	} else {
		return 0;
	}
	if (s[k] != '/' || (len - k > sizeof(BYTES_PREFIX) - 1 &&
			    memcmp(s + k, BYTES_PREFIX, sizeof(BYTES_PREFIX) - 1) == 0))
		return 0;
	for (t = k; t < len && s[t] > 0x20 && s[t] < 0x7f; t++)
		;
	if (s[t] != ' ')
		return 0;
	v = t + 1;
	if (len - v < 9 || memcmp(s + v, "HTTP/1.", 7) != 0 || (s[v + 7] != '1' && s[v + 7] != '0') ||
	    !(len - v == 9 || (len - v == 10 && s[v + 8] == '\r')))
		return 0;
	p->method = method;
	p->flags = s[v + 7] == '0' ? F_HTTP10 : 0;
	p->head = len;
	p->idx = 0;
	p->cand = 0;
	p->num = 0;
	p->state = S_HSTART;
	return len;
}

/* One byte of the request line (states up to S_RL_LF). Returns -1 when it is malformed. */
static int
line_byte(struct http_parser *p, uint8_t c)
{
	switch (p->state) {
	case S_START:
		if (c == '\r' || c == '\n')
			return 0;
		p->state = S_METHOD;
		p->cand = 3;
		p->head = 1;
		return method_byte(p, c);
	case S_METHOD:
		return method_byte(p, c);
	case S_TARGET0:
		if (c != '/')
			return -1;	/* origin-form only: no absolute-form or '*' */
		/* The /bytes/ prefix match keeps its place in idx; the flags survive. */
		p->state = S_TARGET;
		p->cand = T_PREFIX;
		p->idx = 1;
		p->num = 0;
		return 0;
	case S_TARGET:
		return target_byte(p, c);
	case S_VERSION:
	case S_VMINOR:
		return version_byte(p, c);
	case S_RL_END:
		if (c == '\r')
			p->state = S_RL_LF;
		else if (c == '\n')
			p->state = S_HSTART;
		else
			return -1;
		return 0;
	default:	/* S_RL_LF */
		if (c != '\n')
			return -1;
		p->state = S_HSTART;
		return 0;
	}
}

/*
 * One byte of the header section (states from S_HSTART), at buf[*i - 1]; the value of a header
 * we do not interpret is skipped up to its CR/LF at once, moving *i on, with the same byte rules
 * and head limit. Returns -1 when malformed, 1 when the head is complete, 0 otherwise.
 */
static int
header_byte(struct http_parser *p, uint8_t c, const uint8_t *buf, uint32_t len, uint32_t *i,
	    uint32_t max_head)
{
	switch (p->state) {
	case S_HLF:
		if (c != '\n')
			return -1;
		p->state = S_HSTART;
		return 0;
	case S_HSTART:
		if (c == '\r') {
			p->state = S_END_LF;
			return 0;
		}
		if (c == '\n')
			return 1;
		if (c == ' ' || c == '\t')
			return -1;	/* obsolete line folding (§5.2): refused */
		p->state = S_HNAME;
		p->cand = H_CONNECTION | H_CONTENT_LENGTH | H_TRANSFER_ENCODING;
		p->idx = 0;
		return hname_byte(p, c);
	case S_HNAME:
		return hname_byte(p, c);
	case S_HVALUE:
		if (p->cand == 0) {
			while (c != '\r' && c != '\n' && (c >= 0x20 || c == '\t') && c != 0x7f &&
			       *i < len && p->head < max_head) {
				c = buf[(*i)++];
				p->head++;
			}
		}
		return hvalue_byte(p, c);
	case S_END_LF:
		return c == '\n' ? 1 : -1;
	default:
		return -1;
	}
}

enum http_result
http_parse(struct http_parser *p, const uint8_t *buf, uint32_t len, uint32_t max_head,
	   struct http_req *req, uint32_t *used)
{
	uint32_t i = 0;

	while (i < len) {
		uint8_t c = buf[i];
		int rc;

		if ((p->state == S_HSTART || p->state == S_START) && c != '\r' && c != '\n') {
			uint32_t n = p->state == S_START ?
					     plain_request_line(p, buf + i, len - i, max_head) :
					     plain_header_line(p, buf + i, len - i, max_head);

			if (n > 0) {
				i += n;
				continue;
			}
		}
		if (p->state == S_HSTART && c == '\r' && i + 1 < len && buf[i + 1] == '\n' &&
		    p->head + 2 <= max_head) {
			*used = i + 2;		/* the blank line that ends the head, CR LF */
			return finish(p, req);
		}
		if (p->state == S_DEAD) {
			*used = len;
			return HTTP_BAD;
		}
		if (p->state == S_BODY) {
			uint32_t n = len - i < p->body_left ? len - i : p->body_left;

			p->body_left -= n;
			i += n;
			if (p->body_left == 0)
				p->state = S_START;
			continue;
		}
		i++;
		if (p->state != S_START && ++p->head > max_head) {
			p->state = S_DEAD;
			*used = i;
			return HTTP_TOO_LARGE;
		}
		rc = p->state <= S_RL_LF ? line_byte(p, c) : header_byte(p, c, buf, len, &i, max_head);
		if (rc > 0) {
			*used = i;
			return finish(p, req);
		}
		if (rc < 0) {
			p->state = S_DEAD;
			*used = i;
			return HTTP_BAD;
		}
	}
	*used = i;
	return HTTP_MORE;
}
