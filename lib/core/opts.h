/* opts.h - TCP option parsing and building (RFC 9293 §3.2, RFC 7323, RFC 2018). */
#ifndef TCPE_OPTS_H
#define TCPE_OPTS_H

#include <stdint.h>

#define TCP_OPT_MAX_LEN 40	/**< bytes of options a header can carry */
#define TCP_SACK_MAX_BLOCKS 4
#define TCP_TS_SPACE 12	/**< NOP, NOP, timestamps: what each segment carries once agreed */
#define TCP_BLACKHOLE_MSS 1024	/**< segment size (with options) after a suspected PMTU black hole */

enum {
	TCP_OPT_EOL = 0,
	TCP_OPT_NOP = 1,
	TCP_OPT_MSS = 2,
	TCP_OPT_WSCALE = 3,
	TCP_OPT_SACK_PERM = 4,
	TCP_OPT_SACK = 5,
	TCP_OPT_TIMESTAMP = 8,
};

/** Bits of tcp_opts.present. */
enum {
	TCP_HAVE_MSS = 1u << 0,
	TCP_HAVE_WSCALE = 1u << 1,
	TCP_HAVE_SACK_PERM = 1u << 2,
	TCP_HAVE_TIMESTAMP = 1u << 3,
	TCP_HAVE_SACK = 1u << 4,
};

/** Options of one segment, host byte order. Only fields whose TCP_HAVE_ bit is set are valid. */
struct tcp_opts {
	uint8_t present;
	uint8_t wscale;		/**< clamped to 14 (RFC 7323 §2.3) */
	uint8_t nsack;
	uint16_t mss;
	uint32_t ts_val;
	uint32_t ts_ecr;
	struct {
		uint32_t left, right;
	} sack[TCP_SACK_MAX_BLOCKS];
};

/**
 * Parse the option bytes of a TCP header.
 *
 * @param p    first option byte (just after the 20-byte fixed header)
 * @param len  option bytes (data offset * 4 - 20, at most 40)
 * @param o    filled; present == 0 when there are no known options
 * @return 0, or -EINVAL when an option's length is below 2, runs past the header, or does not
 *         match the fixed length of a known kind (RFC 9293 §3.1 MUST-7). Unknown kinds with a
 *         sane length are skipped. Any core may call it.
 */
int tcp_opts_parse(const uint8_t *p, unsigned int len, struct tcp_opts *o);

/**
 * Write the options of @p o whose TCP_HAVE_ bits are set, NOP-padded to a multiple of 4.
 *
 * @param buf  at least TCP_OPT_MAX_LEN bytes
 * @return bytes written (a multiple of 4, at most 40).
 */
unsigned int tcp_opts_build(uint8_t *buf, const struct tcp_opts *o);

#endif
