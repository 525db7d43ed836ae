/* opts.c - TCP option parsing and building (RFC 9293 §3.2, RFC 7323, RFC 2018). */
#include "opts.h"

#include <errno.h>
#include <string.h>

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Fixed lengths of the kinds we interpret; 0 = variable or unknown. */
static unsigned int
fixed_len(uint8_t kind)
{
	switch (kind) {
	case TCP_OPT_MSS:
		return 4;
	case TCP_OPT_WSCALE:
		return 3;
	case TCP_OPT_SACK_PERM:
		return 2;
	case TCP_OPT_TIMESTAMP:
		return 10;
	default:
		return 0;
	}
}

static void
take(const uint8_t *opt, unsigned int olen, struct tcp_opts *o)
{
	switch (opt[0]) {
	case TCP_OPT_MSS:
		o->present |= TCP_HAVE_MSS;
		o->mss = get16(opt + 2);
		break;
	case TCP_OPT_WSCALE:
		o->present |= TCP_HAVE_WSCALE;
		o->wscale = opt[2] > 14 ? 14 : opt[2];
		break;
	case TCP_OPT_SACK_PERM:
		o->present |= TCP_HAVE_SACK_PERM;
		break;
	case TCP_OPT_TIMESTAMP:
		o->present |= TCP_HAVE_TIMESTAMP;
		o->ts_val = get32(opt + 2);
		o->ts_ecr = get32(opt + 6);
		break;
	case TCP_OPT_SACK:
		o->present |= TCP_HAVE_SACK;
		o->nsack = (uint8_t)((olen - 2) / 8);
		for (unsigned int i = 0; i < o->nsack; i++) {
			o->sack[i].left = get32(opt + 2 + 8 * i);
			o->sack[i].right = get32(opt + 6 + 8 * i);
		}
		break;
	default:
		break;	/* unknown kinds are ignored (RFC 9293 §3.1 MUST-6) */
	}
}

int
tcp_opts_parse(const uint8_t *p, unsigned int len, struct tcp_opts *o)
{
	unsigned int i = 0;

	o->present = 0;
	o->nsack = 0;
	if (len > TCP_OPT_MAX_LEN)
		return -EINVAL;
	while (i < len) {
		uint8_t kind = p[i];
		unsigned int olen;

		if (kind == TCP_OPT_EOL)
			break;
		if (kind == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;
		if (fixed_len(kind) != 0 && olen != fixed_len(kind))
			return -EINVAL;
		if (kind == TCP_OPT_SACK &&
		    (olen < 10 || (olen - 2) % 8 != 0 || (olen - 2) / 8 > TCP_SACK_MAX_BLOCKS))
			return -EINVAL;
		take(p + i, olen, o);
		i += olen;
	}
	return 0;
}

unsigned int
tcp_opts_build(uint8_t *buf, const struct tcp_opts *o)
{
	unsigned int n = 0;

	if (o->present & TCP_HAVE_MSS) {
		buf[n] = TCP_OPT_MSS;
		buf[n + 1] = 4;
		put16(buf + n + 2, o->mss);
		n += 4;
	}
	if (o->present & TCP_HAVE_SACK_PERM) {
		/* NOP NOP SACK-permitted keeps the following options word-aligned. */
		buf[n] = TCP_OPT_NOP;
		buf[n + 1] = TCP_OPT_NOP;
		buf[n + 2] = TCP_OPT_SACK_PERM;
		buf[n + 3] = 2;
		n += 4;
	}
	if (o->present & TCP_HAVE_TIMESTAMP) {
		buf[n] = TCP_OPT_NOP;
		buf[n + 1] = TCP_OPT_NOP;
		buf[n + 2] = TCP_OPT_TIMESTAMP;
		buf[n + 3] = 10;
		put32(buf + n + 4, o->ts_val);
		put32(buf + n + 8, o->ts_ecr);
		n += 12;
	}
	if (o->present & TCP_HAVE_WSCALE) {
		buf[n] = TCP_OPT_NOP;
		buf[n + 1] = TCP_OPT_WSCALE;
		buf[n + 2] = 3;
		buf[n + 3] = o->wscale;
		n += 4;
	}
	if ((o->present & TCP_HAVE_SACK) && o->nsack > 0) {
		unsigned int room = (TCP_OPT_MAX_LEN - n - 2) / 8;
		unsigned int nb = o->nsack < room ? o->nsack : room;

		if (nb > 0) {
			buf[n] = TCP_OPT_NOP;
			buf[n + 1] = TCP_OPT_NOP;
			buf[n + 2] = TCP_OPT_SACK;
			buf[n + 3] = (uint8_t)(2 + 8 * nb);
			for (unsigned int i = 0; i < nb; i++) {
				put32(buf + n + 4 + 8 * i, o->sack[i].left);
				put32(buf + n + 8 + 8 * i, o->sack[i].right);
			}
			n += 4 + 8 * nb;
		}
	}
	return n;
}
