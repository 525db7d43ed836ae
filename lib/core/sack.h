/* sack.h - the sender's SACK scoreboard (RFC 6675) with RACK's time-based loss detection (RFC 8985) and proportional rate reduction (RFC 6937), from a per-worker pool: only connections that have received SACK blocks hold one. */
#ifndef TCPE_SACK_H
#define TCPE_SACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcb.h"

#define SB_BLOCKS 128		/**< disjoint SACKed ranges remembered per connection: losses (30
				 *   in a window of 1 000 segments at 3 %) and, on a path that
				 *   reorders, a hole every few segments of the last milliseconds;
				 *   a block with no room is data the peer holds sent again (32 and
				 *   64 overflowed at 20 MB/s on the lossy test path) */
#define SB_DUPTHRESH 3		/**< RFC 6675 DupThresh */
#define SB_REO_PERSIST 16	/**< RFC 8985 §6.2: recoveries before reo_mult falls back to 1 */
#define TLP_WCDELACK_US 200000	/**< RFC 8985 §7.2 WCDelAckT: the peer's worst delayed ACK */
#define TLP_MIN_US 10000	/**< the shortest probe timeout: on microsecond paths 2 SRTT is
				 *   less than a scheduling hiccup of either end */

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
	/* undo by D-SACK (RFC 3708 §3.2): every resend of the episode reported a duplicate */
	uint32_t undo_until;		/**< after recovery, D-SACKs are awaited until then (us) */
	uint16_t undo_retrans;		/**< resends of the episode no D-SACK has covered yet */
	uint8_t undo_dsack;		/**< the episode may still be undone by D-SACKs */
	uint8_t rto_undo;		/**< an RTO's resend awaits its first ACK (Eifel, RFC 4015) */
	uint8_t frto;			/**< F-RTO (RFC 5682, no timestamps): 1 the resend awaits its
					     first ACK, 2 new data went out and awaits the second */
	uint32_t frto_recover;		/**< SND.MAX at the timeout (RFC 5682's "recover") */
	/* RACK (RFC 8985) without a timestamp per segment: a hole is lost once data above it was
	 * SACKed a reordering window ago. The SACK's arrival bounds the time the hole's original
	 * would have been acknowledged (it was sent before what overtook it) from above. */
	uint32_t rxt_snd_max;		/**< SND.MAX at the first retransmission being watched */
	uint32_t rxt_hi;		/**< HighRxt after that retransmission: what it covers */
	uint32_t after_rxt_seen;	/**< when data sent after it was first SACKed (after_rxt) */
	uint32_t rerxt_at, rerxt_end;	/**< holes in [rerxt_at, rerxt_end) were resent and lost:
					 *   NextSeg sends them again first */
	uint32_t rto_mark;		/**< SND.MAX at the last RTO: below it, go-back-N resent data */
	uint8_t rxt_valid, after_rxt;
	/* tail loss probe (RFC 8985 §7): one at a time, judged by the ACKs that follow it */
	uint8_t tlp_out;		/**< a probe was sent and is not judged yet */
	uint8_t tlp_rexmit;		/**< ... and it resent the last segment (else: new data) */
	uint32_t tlp_end_seq;		/**< SND.MAX after the probe */
	uint32_t tlp_ts;		/**< our TSval on the probe, | 1 (0: no timestamps) */
	struct {
		uint32_t s, e;
		uint32_t seen;		/**< when it was first SACKed (low 32 bits of the clock, us) */
	} b[SB_BLOCKS];
};

/** @p t's SACK scoreboard, or NULL when it has none. */
static inline struct scoreboard *
tcb_sb(const struct tcp_ctx *c, const struct tcb *t)
{
	return t->sb != 0 ? &c->sb_pool[t->sb - 1] : NULL;
}

#endif
