/* http_parse.h - a streaming HTTP/1.1 request-head parser (RFC 9112) that keeps 24 bytes of state and no buffer. */
#ifndef TCPE_HTTP_PARSE_H
#define TCPE_HTTP_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum http_method { HTTP_M_NONE, HTTP_M_GET, HTTP_M_HEAD, HTTP_M_OTHER };

/** What http_parse() found. */
enum http_result {
	HTTP_MORE,	/**< everything given was consumed; the request is not complete yet */
	HTTP_REQUEST,	/**< a complete request head: *req is filled */
	HTTP_BAD,	/**< malformed: answer 400 and close */
	HTTP_TOO_LARGE,	/**< the head exceeds the limit: answer 431 and close */
};

/** A complete request, as far as a responder that ignores request bodies needs it. */
struct http_req {
	uint8_t method;		/**< enum http_method */
	bool keep_alive;	/**< after Connection tokens and the version's default */
	bool bytes_target;	/**< the target was /bytes/N */
	bool http10;
	uint64_t bytes;		/**< N of /bytes/N (saturates at 10^15) */
};

/** Parser state: zero it (or http_parser_init) per connection; it carries over between calls. */
struct http_parser {
	uint8_t state;
	uint8_t idx;		/**< position inside the literal or token being matched */
	uint8_t cand;		/**< which literals can still match */
	uint8_t method;
	uint16_t flags;
	uint8_t vcand;		/**< Connection value: which tokens can still match */
	uint8_t rsvd;
	uint32_t head;		/**< bytes of the current head so far */
	uint32_t body_left;	/**< request body bytes still to skip (Content-Length) */
	uint64_t num;
};
_Static_assert(sizeof(struct http_parser) == 24, "the parser lives in a connection's app state");

/**
 * Whether the @p n bytes at @p s are @p lower (lower case, ASCII) but for the case of letters:
 * what header names and tokens compare by (RFC 9110 §5.1), without the C library's locale.
 */
static inline bool
http_ci_eq(const uint8_t *s, const char *lower, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = s[i], l = (uint8_t)lower[i];

		if (c != l && ((c | 0x20) != l || l < 'a' || l > 'z'))
			return false;
	}
	return true;
}

/**
 * Whether the 15 bytes at @p d are "content-length:" in any case: two 8-byte compares, the
 * letters folded (OR 0x20 is exact for them), '-' and ':' compared as they are. A response
 * head's lines are mostly not this one; the first compare tells.
 */
static inline bool
http_is_content_length(const uint8_t *d)
{
	static const char name[] = "content-length:";
	static const uint8_t fold_a[8] = { 32, 32, 32, 32, 32, 32, 32, 0 },	/* "content-" */
			     fold_b[8] = { 0, 32, 32, 32, 32, 32, 32, 0 };	/* "-length:" */
	uint64_t a, b, want_a, want_b, fa, fb;

	memcpy(&a, d, 8);
	memcpy(&b, d + 7, 8);
	memcpy(&want_a, name, 8);
	memcpy(&want_b, name + 7, 8);
	memcpy(&fa, fold_a, 8);
	memcpy(&fb, fold_b, 8);
	return (a | fa) == want_a && (b | fb) == want_b;
}

/**
 * The index of the first LF in @p s[@p i..@p n), or @p n. 32 bytes a step where SSE2 is
 * there, inline: the lines of a head are tens of bytes, shorter than a call to memchr() pays for.
 */
static inline uint32_t
http_lf(const uint8_t *s, uint32_t i, uint32_t n)
{
#if defined(__SSE2__)
	const __m128i lf = _mm_set1_epi8('\n');

	/* 32 bytes a step, so that most lines end in the first: one well-predicted branch */
	for (; i + 32 <= n; i += 32) {
		unsigned int lo = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(s + i)), lf));
		unsigned int hi = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(s + i + 16)), lf));

		if ((lo | hi) != 0)
			return i + (uint32_t)__builtin_ctz(lo | hi << 16);
	}
	if (i + 16 <= n) {
		unsigned int mask = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(s + i)), lf));

		if (mask != 0)
			return i + (uint32_t)__builtin_ctz(mask);
		i += 16;
	}
	if (i < n && n >= 16) {
		/* the 16 bytes that end at n, the ones before i shifted out: no byte-by-byte tail */
		unsigned int mask = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(s + n - 16)), lf)) >>
			(i - (n - 16));

		return mask != 0 ? i + (uint32_t)__builtin_ctz(mask) : n;
	}
#endif
	while (i < n && s[i] != '\n')
		i++;
	return i;
}

/** Reset @p p for a new connection. */
void http_parser_init(struct http_parser *p);

/**
 * Feed @p len bytes at @p buf. Stops after the first complete request head, so pipelined
 * requests are answered one by one in order: call again with the rest.
 *
 * @param used      bytes consumed (all of them unless HTTP_REQUEST came early)
 * @param max_head  limit on a request line plus headers, in bytes
 * @return the result; after HTTP_BAD or HTTP_TOO_LARGE the parser accepts nothing more.
 */
enum http_result http_parse(struct http_parser *p, const uint8_t *buf, uint32_t len,
			    uint32_t max_head, struct http_req *req, uint32_t *used);

#endif
