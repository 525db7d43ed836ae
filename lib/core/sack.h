/* sack.h - the sender's SACK scoreboard (RFC 6675) and proportional rate reduction (RFC 6937), from a per-worker pool: only connections that have received SACK blocks hold one. */
#ifndef TCPE_SACK_H
#define TCPE_SACK_H

#include <stdbool.h>
#include <stdint.h>

#define SB_BLOCKS 8		/**< disjoint SACKed ranges remembered per connection */
#define SB_DUPTHRESH 3		/**< RFC 6675 DupThresh */

/** A connection's scoreboard: what the peer holds beyond SND.UNA, and loss recovery state. */
struct scoreboard {
	struct scoreboard *next_free;
	uint8_t n;			/**< blocks in b[], sorted, disjoint, above SND.UNA */
	uint32_t high_rxt;		/**< RFC 6675 HighRxt: highest byte retransmitted + 1 */
	uint32_t sacked;		/**< bytes in b[] */
	/* RFC 6937 */
	uint32_t recover_fs;		/**< flight when recovery began */
	uint32_t prr_delivered;		/**< bytes the peer received since */
	uint32_t prr_out;		/**< bytes sent since */
	uint32_t quota;			/**< bytes recovery may send now (PRR's sndcnt) */
	/* undo (RFC 3522, Eifel): what recovery reduced, and our timestamp when it resent */
	uint32_t prior_cwnd, prior_ssthresh;
	uint32_t undo_ts;		/**< our TSval at the first retransmission (0: no undo) */
	uint32_t undo_seq;		/**< SND.UNA then: the first ACK beyond it decides */
	struct {
		uint32_t s, e;
	} b[SB_BLOCKS];
};

#endif
