/* http_parse.h - a streaming HTTP/1.1 request-head parser (RFC 9112) that keeps 24 bytes of state and no buffer. */
#ifndef TCPE_HTTP_PARSE_H
#define TCPE_HTTP_PARSE_H

#include <stdbool.h>
#include <stdint.h>

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
