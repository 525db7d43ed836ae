/* sack.c - SACK-based loss recovery for what we send: the scoreboard (RFC 6675), which holes are lost by time (RACK, RFC 8985) and what to resend next, and how much recovery may send (PRR, RFC 6937). */
#include "sack.h"

#include <string.h>

#include "bbr.h"
#include "seq.h"
#include "tcp_priv.h"

void
tcp_sb_pool_init(struct tcp_ctx *c, struct scoreboard *sbs, uint32_t n)
{
	c->sb_pool = sbs;
	c->sb_free = NULL;
	for (uint32_t i = n; i-- > 0;) {
		sbs[i].next_free = c->sb_free;
		c->sb_free = &sbs[i];
	}
}

void
tcp_sb_put(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);

	if (sb == NULL)
		return;
	sb->next_free = c->sb_free;
	c->sb_free = sb;
	t->sb = 0;
}

/* Forget what SND.UNA has passed. */
static void
sb_trim(struct scoreboard *sb, uint32_t una)
{
	unsigned int k = 0;

	while (k < sb->n && seq_le(sb->b[k].e, una)) {
		sb->sacked -= sb->b[k].e - sb->b[k].s;
		k++;
	}
	if (k > 0) {
		memmove(&sb->b[0], &sb->b[k], (sb->n - k) * sizeof(sb->b[0]));
		sb->n = (uint8_t)(sb->n - k);
	}
	if (sb->n > 0 && seq_lt(sb->b[0].s, una)) {
		sb->sacked -= una - sb->b[0].s;
		sb->b[0].s = una;
	}
}

static bool next_lost(const struct tcp_ctx *c, const struct tcb *t, uint32_t *seq,
		      uint32_t *len);
static void timer_quota(struct tcp_ctx *c, struct tcb *t);

/* true when clock value @p a (low 32 bits, us) is before @p b */
static inline bool
ts_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* Add [s, e) (within SND.UNA .. SND.MAX), first SACKed at @p now, merging with what it touches
 * (a merged block keeps the earliest time). With every slot taken, the block farthest from
 * SND.UNA gives way: the holes nearest to it matter most. Returns false when something was
 * forgotten that way - data the peer holds that may be sent again. */
static bool
sb_add(struct scoreboard *sb, uint32_t s, uint32_t e, uint32_t now)
{
	unsigned int i = 0, j;
	uint32_t seen = now;
	bool full = false;

	while (i < sb->n && seq_lt(sb->b[i].e, s))
		i++;
	j = i;
	while (j < sb->n && seq_le(sb->b[j].s, e)) {	/* overlapping or adjacent: merge */
		s = seq_lt(sb->b[j].s, s) ? sb->b[j].s : s;
		e = seq_gt(sb->b[j].e, e) ? sb->b[j].e : e;
		seen = ts_before(sb->b[j].seen, seen) ? sb->b[j].seen : seen;
		sb->sacked -= sb->b[j].e - sb->b[j].s;
		j++;
	}
	if (j == i && sb->n == SB_BLOCKS) {
		if (i == SB_BLOCKS)
			return false;	/* beyond every block we keep */
		sb->sacked -= sb->b[SB_BLOCKS - 1].e - sb->b[SB_BLOCKS - 1].s;
		sb->n--;
		full = true;
	}
	if (j != i + 1)
		memmove(&sb->b[i + 1], &sb->b[j], (sb->n - j) * sizeof(sb->b[0]));
	sb->n = (uint8_t)(sb->n - (j - i) + 1);
	sb->b[i].s = s;
	sb->b[i].e = e;
	sb->b[i].seen = seen;
	sb->sacked += e - s;
	return !full;
}

/* Was the byte at @p seq (not SACKed, not acknowledged) sent more than once? Retransmissions go
 * out below HighRxt, and after an RTO everything below SND.MAX of then. */
static bool
sb_resent(const struct scoreboard *sb, uint32_t seq)
{
	return seq_lt(seq, sb->high_rxt) || seq_lt(seq, sb->rto_mark);
}

/* Reordering seen (RFC 8985 §6.2 step 2): from now on a hole gets a time window. */
static void
reordering_seen(struct tcp_ctx *c, struct tcb *t)
{
	if (t->reo_mult == 0)
		t->reo_mult = 1;
	c->st->sack_reordering++;
}

uint32_t
tcp_sb_reo_wnd(const struct tcp_ctx *c, const struct tcb *t)
{
	const struct scoreboard *sb = tcb_sb(c, t);
	uint32_t srtt = t->srtt8 >> 3, base;
	uint64_t w;

	(void)c;
	/* RFC 8985 §6.2 step 4: until reordering is seen, no window in recovery or once DupThresh
	 * segments are SACKed - RFC 6675's behaviour */
	if (t->reo_mult == 0 && ((t->flags & TCB_RECOVERY) ||
				 (sb != NULL && sb->sacked > (SB_DUPTHRESH - 1) * (uint32_t)t->snd_mss)))
		return 0;
	base = t->min_rtt64 != 0 ? (uint32_t)t->min_rtt64 << 6 : srtt;
	if (base == 0)
		return UINT32_MAX >> 1;	/* no RTT known: DupThresh or the RTO decide */
	w = (uint64_t)(t->reo_mult ? t->reo_mult : 1) * base / 4;
	if (srtt != 0 && w > srtt)
		w = srtt;
	return (uint32_t)w;
}

/* RACK's lost-retransmission rule: data sent after a watched retransmission was SACKed a
 * reordering window ago, and holes resent up to it are still open - those resends were lost;
 * NextSeg sends them again (rerxt), before anything above HighRxt. Then the next
 * retransmission is watched. */
static void
rxt_lost_check(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t reo, now = (uint32_t)c->now;

	if (!sb->rxt_valid || !sb->after_rxt || !(t->flags & TCB_RECOVERY) ||
	    !seq_gt(sb->high_rxt, t->snd_una))
		return;
	reo = tcp_sb_reo_wnd(c, t);
	if ((int64_t)(int32_t)(now - sb->after_rxt_seen) >= (int64_t)reo) {
		uint32_t room, hole = tcp_sb_skip(c, t, t->snd_una, &room);

		if (seq_lt(hole, sb->rxt_hi)) {	/* a resent hole is still open */
			sb->rerxt_at = t->snd_una;
			sb->rerxt_end = sb->rxt_hi;
			c->st->sack_rxt_lost++;
		}
		sb->rxt_valid = 0;
		sb->after_rxt = 0;
	}
}

/* A D-SACK (RFC 2883 §4): the first block lies below the cumulative ACK or inside the second -
 * a segment of ours arrived twice: a needless resend, or a duplicate from the path. Either way
 * the path reorders more than the window allows for (RFC 8985 §6.2 step 4): widen it, up to
 * where SRTT caps it anyway. */
static bool
dsack_check(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	uint32_t l = s->opts.sack[0].left, r = s->opts.sack[0].right;
	uint64_t base = (uint64_t)t->min_rtt64 << 6;

	if (!seq_lt(l, r) || !(seq_le(r, s->ack) ||
			       (s->opts.nsack > 1 && seq_ge(l, s->opts.sack[1].left) &&
				seq_le(r, s->opts.sack[1].right))))
		return false;
	c->st->dsack_rx++;
	if (t->reo_mult < UINT8_MAX && (uint64_t)t->reo_mult * base / 4 < (t->srtt8 >> 3))
		t->reo_mult++;
	t->reo_persist = SB_REO_PERSIST;
	return true;
}

struct scoreboard *
tcp_sb_take(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = c->sb_free;

	if (sb == NULL) {
		c->st->sack_pool_empty++;
		return NULL;
	}
	c->sb_free = sb->next_free;
	memset(sb, 0, sizeof(*sb));
	sb->high_rxt = t->snd_una;
	sb->rto_mark = t->snd_una;
	/* taken in the middle of a NewReno recovery: PRR goes on from what is in flight */
	sb->recover_fs = t->snd_max - t->snd_una;
	t->sb = (uint32_t)(sb - c->sb_pool) + 1;
	return sb;
}

/*
 * RFC 8985 §7.4: did the resent last segment repair a loss? A D-SACK, or a duplicate ACK at its
 * end, says the original arrived too: no. With timestamps the first ACK covering it decides
 * (Eifel: an echo older than the probe's means the original got there). Without, an ACK beyond
 * it - or one that leaves nothing in flight, as no D-SACK may follow - counts as a repair, and
 * the window is reduced as for any loss. A probe of new data needs no judgement.
 */
static void
tlp_judge(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, bool dsack, bool dup)
{
	struct scoreboard *sb = tcb_sb(c, t);
	bool loss;

	if (!sb->tlp_out || seq_lt(s->ack, sb->tlp_end_seq))
		return;
	if (!sb->tlp_rexmit || dsack || (dup && s->ack == sb->tlp_end_seq))
		loss = false;
	else if (sb->tlp_ts != 0 && (s->opts.present & TCP_HAVE_TIMESTAMP))
		loss = !seq_lt(s->opts.ts_ecr, sb->tlp_ts & ~1u);
	else if (seq_gt(s->ack, sb->tlp_end_seq) || t->snd_una == t->snd_max)
		loss = true;
	else
		return;		/* an ACK at its end: the next one tells */
	sb->tlp_out = 0;
	if (loss && !(t->flags & TCB_RECOVERY)) {
		tcp_cc_loss(c, t);
		t->cwnd = t->ssthresh;
		c->st->tlp_recoveries++;
	}
}

uint32_t
tcp_sb_update(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s, uint32_t prev_una)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t before, top, now = (uint32_t)c->now;
	bool reo = false, dsack = s->opts.nsack > 0 && dsack_check(c, t, s);

	if (sb == NULL && (s->opts.nsack == 0 || (sb = tcp_sb_take(c, t)) == NULL))
		return 0;
	if (dsack)
		tcp_sb_dsack_undo(c, t, s->opts.sack[0].left, s->opts.sack[0].right);
	/* The cumulative ACK filled the hole at the old SND.UNA, below SACKed data, with a segment
	 * sent only once: its original arrived after later ones - reordering, not loss. */
	top = sb->n > 0 ? sb->b[sb->n - 1].e : prev_una;
	if (sb->n > 0 && seq_gt(t->snd_una, prev_una) && seq_lt(prev_una, sb->b[0].s) &&
	    !sb_resent(sb, prev_una))
		reo = true;
	sb_trim(sb, t->snd_una);
	before = sb->sacked;
	for (unsigned int k = 0; k < s->opts.nsack; k++) {
		uint32_t l = s->opts.sack[k].left, r = s->opts.sack[k].right;

		/* only what we sent and is not acknowledged; a block below SND.UNA is a D-SACK
		 * (RFC 2883) and one beyond SND.MAX a lie: neither marks anything */
		if (!seq_lt(l, r) || !seq_gt(r, t->snd_una) || seq_gt(r, t->snd_max))
			continue;
		if (seq_lt(l, t->snd_una))
			l = t->snd_una;
		if (seq_lt(l, top) && !sb_resent(sb, l)) {
			/* newly SACKed below data SACKed before, sent only once: reordering */
			uint32_t had = sb->sacked;

			sb_add(sb, l, seq_lt(r, top) ? r : top, now);
			reo |= sb->sacked > had;
		}
		if (sb->rxt_valid && !sb->after_rxt) {
			/* newly SACKed data sent after the watched retransmission - new data, or a
			 * later resend of a hole above it: from now, it has had its chance */
			uint32_t had = sb->sacked;

			if (seq_gt(r, sb->rxt_snd_max))
				sb_add(sb, seq_gt(l, sb->rxt_snd_max) ? l : sb->rxt_snd_max, r, now);
			if (seq_lt(l, sb->high_rxt) && seq_gt(r, sb->rxt_hi) &&
			    seq_lt(sb->rxt_hi, sb->high_rxt))
				sb_add(sb, seq_gt(l, sb->rxt_hi) ? l : sb->rxt_hi,
				       seq_lt(r, sb->high_rxt) ? r : sb->high_rxt, now);
			if (sb->sacked > had) {
				sb->after_rxt = 1;
				sb->after_rxt_seen = now;
			}
		}
		if (!sb_add(sb, l, r, now))
			c->st->sack_sb_full++;
		/* The timed segment SACKed: its RTT is now (Linux's sack_rtt). Waiting for the
		 * cumulative ACK would time the repair of every hole below it too. */
		if ((t->flags & TCB_RTT_TIMING) && seq_le(l, t->rtt_seq) && seq_lt(t->rtt_seq, r)) {
			t->flags &= (uint16_t)~TCB_RTT_TIMING;
			tcp_rtt_sample(c, t, now - t->rtt_start_us);
		}
	}
	c->st->sack_rx += s->opts.nsack;
	if (reo)
		reordering_seen(c, t);
	rxt_lost_check(c, t);
	tlp_judge(c, t, s, dsack, prev_una == t->snd_una && sb->sacked <= before);
	return sb->sacked > before ? sb->sacked - before : 0;
}

/* The earliest time data above @p seq was SACKed; false when nothing above it is. */
static bool
earliest_above(const struct scoreboard *sb, uint32_t seq, uint32_t *seen)
{
	bool any = false;

	for (unsigned int k = sb->n; k-- > 0 && seq_gt(sb->b[k].e, seq);) {
		if (!any || ts_before(sb->b[k].seen, *seen))
			*seen = sb->b[k].seen;
		any = true;
	}
	return any;
}

bool
tcp_sb_lost(const struct tcp_ctx *c, const struct tcb *t, uint32_t seq)
{
	uint32_t seen;

	if (t->sb == 0 || !earliest_above(tcb_sb(c, t), seq, &seen))
		return false;
	/* RFC 8985 §6.2 step 5: sent before what was delivered, and a reordering window since */
	return (int64_t)(int32_t)((uint32_t)c->now - seen) >= (int64_t)tcp_sb_reo_wnd(c, t);
}

void
tcp_sb_arm_reo(struct tcp_ctx *c, struct tcb *t)
{
	const struct scoreboard *sb = tcb_sb(c, t);
	uint32_t at, room, seen, reo;
	uint64_t due = UINT64_MAX;

	if (sb == NULL || t->snd_una == t->snd_max)
		return;
	if ((t->flags & TCB_TLP_TIMER) && sb->n > 0)
		tcp_rto_arm(c, t);	/* SACKs came: RACK and the RTO take over from the probe */
	reo = tcp_sb_reo_wnd(c, t);
	if (reo >= t->rto_us)
		return;		/* the RTO comes first */
	/* the first hole recovery has not resent: at SND.UNA, or above HighRxt in recovery */
	at = (t->flags & TCB_RECOVERY) && seq_gt(sb->high_rxt, t->snd_una) ? sb->high_rxt :
									    t->snd_una;
	at = tcp_sb_skip(c, t, at, &room);
	if (reo > 0 && sb->n > 0 && room != UINT32_MAX && earliest_above(sb, at, &seen))
		due = c->now + (uint64_t)((int64_t)(int32_t)(seen - (uint32_t)c->now) + reo);
	/* a watched resend: when data sent after it has had its window, it is lost - also when no
	 * ACK comes any more to tell (everything else of a small window is SACKed) */
	if (sb->rxt_valid && sb->after_rxt && (t->flags & TCB_RECOVERY) &&
	    seq_gt(sb->high_rxt, t->snd_una)) {
		uint64_t d = c->now + (uint64_t)((int64_t)(int32_t)(sb->after_rxt_seen -
								   (uint32_t)c->now) + reo);

		if (d < due)
			due = d;
	}
	if (due == UINT64_MAX || (int64_t)(due - c->now) <= 0)
		return;		/* nothing waits, or its window has run out: lost already */
	if (tmr_armed(&t->timer) && !(t->flags & (TCB_IDLE | TCB_REO_TIMER | TCB_TLP_TIMER)) &&
	    tmr_wheel_due_us(&c->wheel, &t->timer) <= due)
		return;		/* the RTO comes first */
	t->flags = (uint16_t)((t->flags & ~(TCB_IDLE | TCB_TLP_TIMER)) | TCB_REO_TIMER);
	tmr_wheel_arm(&c->wheel, &t->timer, due);
}

void
tcp_sb_reo_timeout(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t seq, len;

	if (t->sb != 0 && t->snd_una != t->snd_max) {
		if (!(t->flags & TCB_RECOVERY)) {
			if (seq_ge(t->snd_una, t->recover) && tcp_sb_lost(c, t, t->snd_una)) {
				c->st->rack_timeouts++;
				tcp_sb_recovery_enter(c, t);
			}
		} else {
			rxt_lost_check(c, t);	/* a watched resend's window may have run out */
			if (next_lost(c, t, &seq, &len)) {
				c->st->rack_timeouts++;
				/* the timer stands in for the ACK that would have told: one segment */
				if (tcb_sb(c, t)->quota < t->snd_mss)
					tcb_sb(c, t)->quota = t->snd_mss;
				timer_quota(c, t);
			}
		}
		tcp_output(c, t);
	}
	if (t->snd_una != t->snd_max && (!tmr_armed(&t->timer) || (t->flags & TCB_IDLE)))
		tcp_rto_arm(c, t);
	tcp_sb_arm_reo(c, t);
}

uint32_t
tcp_sb_pipe(const struct tcp_ctx *c, const struct tcb *t)
{
	const struct scoreboard *sb = tcb_sb(c, t);
	uint32_t pipe = 0, seen = 0, reo, now = (uint32_t)c->now;
	bool any = false;

	if (sb == NULL)
		return t->snd_max - t->snd_una;
	reo = tcp_sb_reo_wnd(c, t);
	/* Holes below the last block: lost or in flight as a whole (IsLost only changes at SACKed
	 * bytes); what of them was resent is in flight again. Above the last block, all of it.
	 * From the top down, so that the earliest SACK above each hole (tcp_sb_lost()) is kept
	 * as we go: one pass, however many blocks. */
	for (unsigned int k = sb->n + 1; k-- > 0;) {
		uint32_t hs = k > 0 ? sb->b[k - 1].e : t->snd_una;
		uint32_t he = k < sb->n ? sb->b[k].s : t->snd_max;

		if (k < sb->n && (!any || ts_before(sb->b[k].seen, seen))) {
			seen = sb->b[k].seen;
			any = true;
		}
		if (!seq_lt(hs, he))
			continue;
		if (k == sb->n || (int64_t)(int32_t)(now - seen) < (int64_t)reo)
			pipe += he - hs;
		if (seq_gt(sb->high_rxt, hs))
			pipe += (seq_lt(sb->high_rxt, he) ? sb->high_rxt : he) - hs;
	}
	return pipe;
}

uint32_t
tcp_sb_skip(const struct tcp_ctx *c, const struct tcb *t, uint32_t seq, uint32_t *room)
{
	const struct scoreboard *sb = tcb_sb(c, t);

	*room = UINT32_MAX;
	if (sb == NULL)
		return seq;
	for (unsigned int k = 0; k < sb->n; k++) {
		if (seq_lt(seq, sb->b[k].s)) {
			*room = sb->b[k].s - seq;	/* up to the next SACKed block */
			return seq;
		}
		if (seq_lt(seq, sb->b[k].e))
			seq = sb->b[k].e;		/* inside it: the peer has it */
	}
	return seq;
}

/* RFC 6675 NextSeg() rule 1: the first byte above HighRxt that is not SACKed and is lost, and how
 * much of its hole one segment takes. */
static bool
next_lost(const struct tcp_ctx *c, const struct tcb *t, uint32_t *seq, uint32_t *len)
{
	const struct scoreboard *sb = tcb_sb(c, t);
	uint32_t at = seq_gt(sb->high_rxt, t->snd_una) ? sb->high_rxt : t->snd_una, room;

	if (seq_lt(sb->rerxt_at, sb->rerxt_end)) {
		/* a resend found lost: that hole again, first */
		uint32_t r = tcp_sb_skip(c, t, seq_gt(sb->rerxt_at, t->snd_una) ? sb->rerxt_at :
									   t->snd_una, &room);

		if (seq_lt(r, sb->rerxt_end) && room != UINT32_MAX) {
			*seq = r;
			*len = room < t->snd_mss ? room : t->snd_mss;
			if (seq_gt(*seq + *len, sb->rerxt_end))
				*len = sb->rerxt_end - *seq;
			return true;
		}
	}
	at = tcp_sb_skip(c, t, at, &room);
	if (room == UINT32_MAX || !tcp_sb_lost(c, t, at))
		return false;	/* above the last block, or not lost (nor is anything above it) */
	*seq = at;
	*len = room < t->snd_mss ? room : t->snd_mss;
	return true;
}

/*
 * With the pipe far below ssthresh and no ACK to clock PRR (recovery entered, or a resend found
 * lost, by the RACK timer at the end of a window), one more segment may go besides the resend:
 * new data whose SACK tells whether the resend arrived - otherwise only the RTO would.
 */
static void
timer_quota(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t pipe = tcp_sb_pipe(c, t), mss = t->snd_mss;

	if (pipe + 2 * mss <= t->ssthresh && sb->quota < 2 * mss)
		sb->quota = 2 * mss;
}

void
tcp_sb_recovery_enter(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);
	/* The last episode's resends above its recovery point (holes in what it sent as new data)
	 * may still be on their way: they stay resent - HighRxt, and the watch on them, carry over
	 * - or this episode sends every one of them again at once (the data SACKed above them is
	 * old enough to call them lost). */
	bool carry = seq_gt(sb->high_rxt, t->snd_una);

	/* RFC 8985 §6.2: a grown reordering window is kept for SB_REO_PERSIST recoveries */
	if (t->reo_persist > 0 && --t->reo_persist == 0 && t->reo_mult > 1)
		t->reo_mult = 1;
	sb->tlp_out = 0;	/* the probe did its work: recovery's reduction covers the loss */
	sb->prior_cwnd = t->cwnd;
	sb->prior_ssthresh = t->ssthresh;
	/* TSval 0 is a valid clock value too; a 1 keeps "no undo" apart from it. With resends
	 * carried over, the first ACK beyond this episode's first resend may echo one of theirs:
	 * no Eifel undo then, and only D-SACKs of this episode's resends count. */
	sb->undo_ts = (t->opt & TCB_OPT_TS) && !carry ? tcp_ts_now(c, t) | 1 : 0;
	sb->undo_seq = carry ? sb->high_rxt : t->snd_una;
	sb->undo_retrans = 0;
	sb->undo_dsack = 1;
	tcp_cc_loss(c, t);
	t->recover = t->snd_max;
	t->flags |= TCB_RECOVERY;
	c->st->cc_recoveries++;
	c->st->sack_recoveries++;
	if (carry) {
		c->st->sack_rxt_carried++;
	} else {
		sb->high_rxt = t->snd_una;
		sb->rerxt_at = sb->rerxt_end = t->snd_una;
		sb->rxt_valid = 0;
		sb->after_rxt = 0;
	}
	sb->recover_fs = t->snd_max - t->snd_una;
	sb->prr_delivered = 0;
	sb->prr_out = 0;
	/* RFC 6675 §5 step 4.2: the first lost segment goes at once, whatever PRR says */
	sb->quota = t->snd_mss;
	timer_quota(c, t);
}

void
tcp_sb_recovery_ack(struct tcp_ctx *c, struct tcb *t, uint32_t delivered)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t pipe = tcp_sb_pipe(c, t), ss = t->ssthresh, mss = t->snd_mss;
	int64_t sndcnt;

	if (tcp_bbr_active(c, t)) {
		/* BBR's window and pacing decide, not PRR (tcp_sb_quota_cwnd after the update) */
		sb->prr_delivered += delivered;
		return;
	}
	sb->prr_delivered += delivered;
	if (pipe > ss) {
		/* proportional: ssthresh / RecoverFS of what was delivered (RFC 6937 §3) */
		uint64_t fs = sb->recover_fs ? sb->recover_fs : 1;

		sndcnt = (int64_t)(((uint64_t)sb->prr_delivered * ss + fs - 1) / fs) - sb->prr_out;
	} else {
		/* slow-start reduction bound (PRR-SSRB) back up to ssthresh */
		int64_t limit = (int64_t)sb->prr_delivered - sb->prr_out;

		if (limit < (int64_t)delivered)
			limit = delivered;
		limit += mss;
		sndcnt = (int64_t)ss - pipe < limit ? (int64_t)ss - pipe : limit;
	}
	sb->quota = sndcnt > 0 ? (uint32_t)sndcnt : 0;
}

void
tcp_sb_quota_cwnd(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t pipe = tcp_sb_pipe(c, t);

	if ((t->flags & TCB_RECOVERY) && t->sb != 0)
		tcb_sb(c, t)->quota = t->cwnd > pipe ? t->cwnd - pipe : 0;
}

/* One segment of @p len at @p seq, counted against PRR; HighRxt follows a retransmission. */
static void
recovery_send(struct tcp_ctx *c, struct tcb *t, uint32_t seq, uint32_t len)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t nxt = t->snd_nxt;

	t->snd_nxt = seq;
	tcp_send_at(c, t, len);
	if (seq_lt(seq, nxt)) {
		t->snd_nxt = nxt;
		if (seq_lt(seq, sb->rerxt_end))
			sb->rerxt_at = seq + len;	/* a lost resend, sent again */
		if (sb->undo_retrans < UINT16_MAX)
			sb->undo_retrans++;
		if (seq_gt(seq + len, sb->high_rxt))
			sb->high_rxt = seq + len;
		if (!sb->rxt_valid) {
			/* watch this one: what is sent from now on goes after it */
			sb->rxt_snd_max = t->snd_max;
			sb->rxt_hi = seq_gt(seq + len, sb->high_rxt) ? seq + len : sb->high_rxt;
			sb->rxt_valid = 1;
			sb->after_rxt = 0;
		}
	}
	sb->prr_out += len;
	sb->quota = sb->quota > len ? sb->quota - len : 0;
}

bool
tcp_sb_output(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);

	while (sb->quota > 0) {
		uint32_t seq, len;

		if (tcp_outq_room(c) <= TCP_OUTQ_CALL_MAX)
			return true;
		if (next_lost(c, t, &seq, &len)) {
			if (c->cfg->cc == TCP_CC_BBR && !tcp_bbr_pace(c, t, len))
				break;
			c->st->sack_rexmits++;
			recovery_send(c, t, seq, len);
			continue;
		}
		/* rule 2: new data, within the peer's window */
		len = t->snd_end - t->snd_nxt;
		if (!seq_lt(t->snd_nxt, t->snd_end) || t->snd_nxt != t->snd_max)
			break;
		if (len > t->snd_mss)
			len = t->snd_mss;
		if (seq_gt(t->snd_nxt + len, t->snd_una + t->snd_wnd) ||
		    (c->cfg->cc == TCP_CC_BBR && !tcp_bbr_pace(c, t, len)))
			break;
		recovery_send(c, t, t->snd_nxt, len);
	}
	return false;
}

/* The probe timeout (RFC 8985 §7.2) when a tail loss probe may be scheduled now, the RTO
 * armed or about to be; 0 when none may: no data in flight, no SACK, no RTT known, a retry or
 * a closed window, recovery, another timer's turn, a FIN queued, SACKed data or a probe out. */
static uint64_t
tlp_pto(const struct tcp_ctx *c, const struct tcb *t)
{
	uint32_t srtt = t->srtt8 >> 3, flight = t->snd_max - t->snd_una;
	uint64_t pto;

	if (flight == 0 || !(t->opt & TCB_OPT_SACK) || srtt == 0 || t->retries != 0 ||
	    t->snd_wnd == 0 || (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT) ||
	    (t->flags & (TCB_RECOVERY | TCB_IDLE | TCB_REO_TIMER | TCB_FIN_QUEUED)) ||
	    (t->sb != 0 && (tcb_sb(c, t)->tlp_out || tcb_sb(c, t)->n > 0)))
		return 0;
	pto = 2 * (uint64_t)srtt + (flight <= t->snd_mss ? TLP_WCDELACK_US : 2000);
	return pto < TLP_MIN_US ? TLP_MIN_US : pto;
}

void
tcp_tlp_arm(struct tcp_ctx *c, struct tcb *t)
{
	uint64_t pto;

	if ((t->flags & TCB_TLP_TIMER) || !tmr_armed(&t->timer) || (pto = tlp_pto(c, t)) == 0)
		return;
	t->flags |= TCB_TLP_TIMER;
	/* PTO = min(PTO, the RTO's time), as Linux: when the RTO would come first (one segment
	 * to a peer that delays its ACK), the probe goes then instead - the same timer */
	if (c->now + pto < tmr_wheel_due_us(&c->wheel, &t->timer))
		tmr_wheel_arm(&c->wheel, &t->timer, c->now + pto);
}

void
tcp_rto_tlp_arm(struct tcp_ctx *c, struct tcb *t)
{
	uint64_t at = c->now + t->rto_us, pto;

	/* as tcp_rto_arm() then tcp_tlp_arm(), with the link filed once */
	t->flags &= (uint16_t)~(TCB_IDLE | TCB_REO_TIMER | TCB_TLP_TIMER);
	if ((pto = tlp_pto(c, t)) != 0) {
		t->flags |= TCB_TLP_TIMER;
		if (c->now + pto < tmr_wheel_when_us(&c->wheel, at))
			at = c->now + pto;
	}
	tmr_wheel_arm(&c->wheel, &t->timer, at);
}

bool
tcp_tlp_timeout(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t nxt = t->snd_nxt, avail = t->snd_end - t->snd_nxt, len;

	if (t->snd_una == t->snd_max)
		return true;	/* nothing to probe for, nor to time out */
	if ((t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT) ||
	    (t->flags & (TCB_RECOVERY | TCB_FIN_QUEUED)) || (sb != NULL && sb->n > 0) ||
	    (sb == NULL && (sb = tcp_sb_take(c, t)) == NULL))
		return false;	/* closing, recovery under way, or no scoreboard to judge by */
	len = avail < t->snd_mss ? avail : t->snd_mss;
	if (nxt == t->snd_max && len > 0 && !seq_gt(nxt + len, t->snd_una + t->snd_wnd)) {
		sb->tlp_rexmit = 0;		/* new data probes as well and costs nothing */
		tcp_send_at(c, t, len);
	} else {
		len = t->snd_max - t->snd_una < t->snd_mss ? t->snd_max - t->snd_una : t->snd_mss;
		t->snd_nxt = t->snd_max - len;	/* the last segment */
		sb->tlp_rexmit = 1;
		t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn */
		tcp_send_at(c, t, len);
		t->snd_nxt = nxt;
	}
	sb->tlp_out = 1;
	sb->tlp_end_seq = t->snd_max;
	sb->tlp_ts = (t->opt & TCB_OPT_TS) ? tcp_ts_now(c, t) | 1 : 0;
	c->st->tlp_probes++;
	tcp_rto_arm(c, t);
	return true;
}
