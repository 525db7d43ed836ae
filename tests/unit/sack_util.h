/* sack_util.h - connections with SACK agreed and the peer's SACKs, for the loss-recovery unit tests (test_sack.c, test_rack.c). */
#ifndef TCPE_SACK_UTIL_H
#define TCPE_SACK_UTIL_H

#include <stdint.h>

#include "harness.h"

#define S 1000000ULL

/** An ESTABLISHED connection that agreed on SACK, @p n full segments sent at once. */
void sack_conn(struct harness *h, unsigned int n);
/** sack_conn() with an RTT of @p rtt_us (variance a quarter of it) known before the segments
 * leave (0: none but the handshake's). */
void sack_conn_rtt(struct harness *h, unsigned int n, uint32_t rtt_us);
/** Relative sequence of segment @p k (0-based) of those sent. */
uint32_t seg_at(const struct harness *h, unsigned int k);
/** The peer's ACK of relative @p rel_ack with SACK blocks of segments [a_i, b_i) (0-based). */
void sack_ack(struct harness *h, uint32_t rel_ack, unsigned int nblocks,
	      const unsigned int (*blk)[2]);
/** SACK and timestamps agreed, 10 full segments sent at once. */
void ts_sack_sent(struct harness *h);

#endif
