/* bbr.h - a model-based sender (BBR, after Cardwell et al. and draft-cardwell-iccrg-bbr-congestion-control): bottleneck bandwidth and minimum RTT estimates set the pacing rate and the window; state from a per-worker pool, pacing on a per-worker wheel. */
#ifndef TCPE_BBR_H
#define TCPE_BBR_H

#include <stdbool.h>
#include <stdint.h>

#include "tcb.h"
#include "timer.h"

#define BBR_UNIT 256			/**< gains in 1/256 */
#define BBR_BW_ROUNDS 10		/**< the bandwidth filter's window, in round trips */
#define BBR_MIN_RTT_US 10000000ULL	/**< the min-RTT filter's window (10 s) */
#define BBR_PROBE_RTT_US 200000		/**< ProbeRTT holds the window down this long */
#define BBR_PACE_SLACK_US 200		/**< pacing lets bursts of up to 200 us of the rate go */
#define BBR_PACE_TICK_SHIFT 6		/**< pacing wheel tick: 64 us */
#define BBR_SAMPLES 16			/**< sends remembered for delivery-rate samples */

/** What the connection had delivered when a segment left: its ACK makes a rate sample
 * (draft-cheng-iccrg-delivery-rate-estimation). One every ~min RTT / 16, not every segment. */
struct bbr_sent {
	uint32_t end;			/**< the segment's end sequence */
	uint32_t delivered;		/**< tcp_bbr.delivered then (low 32 bits) */
	uint32_t delivered_time;	/**< tcp_bbr.delivered_time then (low 32 bits of us) */
	uint32_t first_sent_time;	/**< tcp_bbr.first_sent_time then */
	uint32_t sent_time;		/**< when it left */
	uint32_t app_limited;		/**< sent while the application had nothing more */
};

/** BBR's modes. */
enum bbr_mode { BBR_STARTUP, BBR_DRAIN, BBR_PROBE_BW, BBR_PROBE_RTT };

/** One connection's model and pacing state. */
struct tcp_bbr {
	struct tmr_link pace;		/**< on tcp_ctx.pace_wheel while a send waits for its time */
	struct tcb *owner;		/**< the record it belongs to */
	struct tcp_bbr *next_free;
	uint64_t pace_next;		/**< when the next segment may leave (us) */
	uint64_t rate;			/**< pacing rate, bytes per second */
	uint64_t btl_bw;		/**< bottleneck bandwidth estimate: max of bw[], bytes/s */
	uint64_t full_bw;		/**< Startup: the bandwidth growth is measured against */
	uint64_t delivered;		/**< bytes acknowledged or SACKed, ever */
	uint64_t round_delivered;	/**< ... when this round began: a round ends when a send
					 *   made after that is delivered */
	uint64_t round_start;		/**< when this round began (us) */
	uint64_t min_rtt_stamp;		/**< when min_rtt was taken (us) */
	uint64_t probe_rtt_done;	/**< ProbeRTT may end at this time (0: not started) */
	uint64_t cycle_stamp;		/**< when this ProbeBW phase began */
	uint64_t bw[BBR_BW_ROUNDS];	/**< best delivery-rate sample of each of the last rounds */
	uint64_t delivered_time;	/**< when delivered last grew (us) */
	uint64_t first_sent_time;	/**< start of the current send interval (us) */
	uint64_t app_limited_until;	/**< samples are app-limited until delivered passes this */
	struct bbr_sent sent[BBR_SAMPLES]; /**< a ring, oldest at sent_head */
	uint8_t sent_head, sent_n;
	/* ACK aggregation (as Linux's BBR): more is acknowledged at once than the bandwidth
	 * explains when the receiver or the path bunches ACKs; the window allows for it */
	uint64_t ack_epoch_start;	/**< when the current aggregation epoch began (us) */
	uint64_t ack_epoch_acked;	/**< bytes acknowledged in it */
	uint32_t extra_acked[2];	/**< the largest excess of each of the last two 5-round spans */
	uint8_t extra_slot;
	uint8_t sampled;		/**< a rate sample was taken in this round */
	uint8_t round_sampled;		/**< ... in the round that just ended */
	uint32_t rounds;
	uint32_t min_rtt;		/**< us (0: none yet) */
	uint32_t prior_cwnd;		/**< the window ProbeRTT restores */
	uint8_t mode;			/**< enum bbr_mode */
	uint8_t cycle;			/**< ProbeBW phase, 0..7 */
	uint8_t full_cnt;		/**< rounds without 25 % growth in Startup */
	uint8_t filled;			/**< the pipe was filled once (Startup is over) */
	uint8_t app_limited;		/**< this round began with nothing queued to send */
	uint8_t rwnd_limited;		/**< a send of this round reached the peer's window */
	uint8_t round_rwnd;		/**< ... of the round that just ended */
	uint8_t probe_rtt_round;	/**< ProbeRTT has lasted a round trip */
	uint8_t in_recovery;		/**< the connection was in loss recovery at the last ACK */
	uint32_t conserve_until;	/**< packet conservation until this round (recovery's first) */
	uint32_t recovery_cwnd;		/**< the window when recovery began, restored after it */
};

struct tcp_ctx;
struct tcb;

/** Thread @p n records of @p pool onto @p c's free list. */
void tcp_bbr_pool_init(struct tcp_ctx *c, struct tcp_bbr *pool, uint32_t n);
/** Return @p t's BBR state to the pool (no-op without one). */
void tcp_bbr_put(struct tcp_ctx *c, struct tcb *t);
/** An ACK delivered @p delivered bytes (newly acknowledged or SACKed), leaving @p inflight in
 * the network, the highest delivered sequence now @p hi: update the model, the pacing rate and
 * the window. Takes the state from the pool on first use; none left: the connection stays with
 * NewReno (counted as bbr_fallbacks). */
void tcp_bbr_ack(struct tcp_ctx *c, struct tcb *t, uint32_t delivered, uint32_t inflight,
		 uint32_t hi);
/** An RTT sample of @p rtt_us for the min-RTT filter. */
void tcp_bbr_rtt(struct tcp_ctx *c, struct tcb *t, uint32_t rtt_us);
/**
 * May @p len bytes leave now, at the pacing rate? Yes: the next send time moves on by
 * len / rate. No: the state is put on the pacing wheel for when it may, and the runtime calls
 * tcp_output() then (tcp_bbr_due()).
 */
bool tcp_bbr_pace(struct tcp_ctx *c, struct tcb *t, uint32_t len);
/** New data [.., @p end) left: remember the delivery state for a rate sample (when the last one
 * remembered is older than min RTT / 16). */
void tcp_bbr_sent(struct tcp_ctx *c, struct tcb *t, uint32_t end);
#define BBR_NONE UINT32_MAX	/**< tcb.bbr of a connection the pool had nothing left for */

/** Does @p t send by BBR (a state from the pool)? Then losses do not shrink its window. */
static inline bool
tcp_bbr_active(const struct tcp_ctx *c, const struct tcb *t)
{
	return c->cfg->cc == TCP_CC_BBR && t->bbr != 0 && t->bbr != BBR_NONE;
}
/** The record of a BBR state taken off the pacing wheel. */
struct tcb *tcp_bbr_owner(struct tmr_link *l);

#endif
