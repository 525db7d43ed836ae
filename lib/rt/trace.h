/* trace.h - segment-by-segment trace records (--trace N): written by workers, printed by the control core. */
#ifndef TCPE_TRACE_H
#define TCPE_TRACE_H

#include <stdint.h>
#include <stdio.h>

enum { TRACE_IN = 0, TRACE_OUT = 1 };

/** One traced segment, sequence numbers relative to each side's ISN as Wireshark shows them. */
struct trace_rec {
	uint64_t t_us;		/**< worker clock */
	uint32_t conn;		/**< the worker's connection number, from 1 */
	uint32_t seq;		/**< relative to the sender's ISN */
	uint32_t ack;		/**< relative to the receiver's ISN (valid when flags has ACK) */
	uint32_t len;
	uint32_t raddr, laddr;	/**< network order */
	uint16_t rport, lport;	/**< network order */
	uint8_t dir;		/**< TRACE_IN or TRACE_OUT */
	uint8_t flags;		/**< TCP flags */
	uint8_t state;		/**< state after the segment */
	uint8_t worker;
	uint32_t lcore;
	uint8_t ip6;		/**< an IPv6 connection: the addresses are these, not raddr/laddr */
	uint8_t raddr6[16], laddr6[16];
};

/** Ring slots per worker: enough for the first connections at full speed. */
#define TRACE_RING_SIZE 8192

/** Printer state on the control core: remembers which connections got a header already. */
struct trace_printer {
	FILE *out;
	uint64_t t0_us[256];	/**< first record time per worker (the rows show ms since) */
	uint32_t headed[256];	/**< highest connection number with a header, per worker */
};

/** Print @p r as one row of the seed notes' table (a header before a connection's first row). */
void trace_print(struct trace_printer *p, const struct trace_rec *r);

#endif
