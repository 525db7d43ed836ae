/* undo.c - undoing what a loss that was not one took: a recovery shown spurious by the echoed timestamp (Eifel, RFC 3522) or by D-SACKs of all its resends (RFC 3708), and a spurious timeout (RFC 4015). */
#include "sack.h"
#include "seq.h"
#include "tcp_priv.h"

/* RFC 3708 §3.2: once every resend of the last recovery came back as a duplicate, the
 * recovery was spurious: the window and threshold from before it return. Only a D-SACK of
 * [@p l, @p r) within what this recovery resent counts (as Linux's undo_marker): one for a
 * duplicate the path made, or for a resend of an earlier recovery, says nothing of this one -
 * counting those undid real recoveries, and the hole, still lost, was resent again. */
void
tcp_sb_dsack_undo(struct tcp_ctx *c, struct tcb *t, uint32_t l, uint32_t r)
{
	struct scoreboard *sb = tcb_sb(c, t);

	if (!sb->undo_dsack || sb->undo_retrans == 0 || seq_lt(l, sb->undo_seq) ||
	    seq_gt(r, sb->high_rxt) || --sb->undo_retrans > 0)
		return;
	sb->undo_dsack = 0;
	sb->undo_ts = 0;
	t->cwnd = t->cwnd > sb->prior_cwnd ? t->cwnd : sb->prior_cwnd;
	t->ssthresh = sb->prior_ssthresh;
	if (t->flags & TCB_RECOVERY) {
		t->flags &= (uint16_t)~TCB_RECOVERY;
		t->dupacks = 0;
		t->recover = t->snd_una;
	}
	c->st->dsack_undos++;	/* (each D-SACK already widened the reordering window) */
}

/* Keep the scoreboard after recovery while the D-SACKs that could undo it may still come. */
bool
tcp_sb_awaits_dsacks(const struct tcp_ctx *c, const struct tcb *t)
{
	const struct scoreboard *sb = tcb_sb(c, t);

	return sb->undo_dsack && sb->undo_retrans > 0 &&
	       (int32_t)((uint32_t)c->now - sb->undo_until) < 0;
}

void
tcp_sb_recovery_exit(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t srtt = t->srtt8 >> 3;

	/* the duplicates of the last resends arrive about a round trip after them */
	sb->undo_until = (uint32_t)c->now + 2 * (srtt > 5000 ? srtt : 5000);
}

void
tcp_sb_rto_mark(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);

	if (!(t->opt & TCB_OPT_TS) || (sb == NULL && (sb = tcp_sb_take(c, t)) == NULL))
		return;
	if (!(t->flags & TCB_RECOVERY)) {	/* in recovery, these are from before it */
		sb->prior_cwnd = t->cwnd;
		sb->prior_ssthresh = t->ssthresh;
	}
	sb->undo_ts = tcp_ts_now(c, t) | 1;
	sb->undo_seq = t->snd_una;
	sb->rto_undo = 1;
}

bool
tcp_sb_rto_undo(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	struct scoreboard *sb = tcb_sb(c, t);

	/* Eifel (RFC 3522, response RFC 4015): the first ACK covering the resend echoes a timestamp
	 * from before it - the original got there, the timeout was spurious (a delayed ACK, a
	 * late path): the window comes back and what was already sent is not sent again. */
	if (!sb->rto_undo || !seq_gt(s->ack, sb->undo_seq))
		return false;
	sb->rto_undo = 0;
	if (!(s->opts.present & TCP_HAVE_TIMESTAMP) || !seq_lt(s->opts.ts_ecr, sb->undo_ts & ~1u))
		return false;
	t->cwnd = t->cwnd > sb->prior_cwnd ? t->cwnd : sb->prior_cwnd;
	t->ssthresh = sb->prior_ssthresh;
	if (seq_lt(t->snd_nxt, t->snd_max))
		t->snd_nxt = t->snd_max;
	sb->high_rxt = t->snd_una;
	sb->rto_mark = t->snd_una;
	c->st->rto_undos++;
	return true;
}

bool
tcp_sb_undo(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	struct scoreboard *sb = tcb_sb(c, t);

	/* RFC 3522: the first ACK that covers the first segment resent echoes a timestamp older
	 * than the resend: the original arrived after all - the "loss" was reordering. Only that
	 * ACK decides (a later hole may have been filled by its original while this one was lost). */
	if (sb->undo_ts == 0 || !seq_gt(s->ack, sb->undo_seq))
		return false;
	if (!(s->opts.present & TCP_HAVE_TIMESTAMP) || !seq_lt(s->opts.ts_ecr, sb->undo_ts & ~1u)) {
		sb->undo_ts = 0;	/* the resend was needed */
		return false;
	}
	t->cwnd = t->cwnd > sb->prior_cwnd ? t->cwnd : sb->prior_cwnd;
	t->ssthresh = sb->prior_ssthresh;
	t->flags &= (uint16_t)~TCB_RECOVERY;
	t->dupacks = 0;
	t->recover = t->snd_una;
	sb->undo_ts = 0;
	/* The path reorders more than the window allowed for: widen it (RFC 8985 §6.2 step 4 does
	 * this on a D-SACK; an Eifel undo is the same evidence) and keep it for a while. A wider
	 * window costs a real loss some milliseconds; a DupThresh raised instead turned this path's
	 * losses into timeouts (24 -> 173 RTOs), as small windows never reach it. */
	if (t->reo_mult < UINT8_MAX)
		t->reo_mult++;
	t->reo_persist = SB_REO_PERSIST;
	c->st->cc_undos++;
	return true;
}
