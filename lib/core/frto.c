/* frto.c - F-RTO (RFC 5682): telling a spurious retransmission timeout from a real one without timestamps, by sending new data after the resend and watching the next two ACKs. */
#include "sack.h"
#include "seq.h"
#include "tcp_priv.h"

/*
 * Where timestamps are in use, Eifel decides from the first ACK's echo (tcp_sb_rto_undo());
 * without them (Windows peers, for one) F-RTO does. It needs new data to send and a scoreboard
 * to remember the window in (the worker's pool; none left: no F-RTO). BBR keeps its own model.
 */
void
tcp_frto_start(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = tcb_sb(c, t);

	if (sb != NULL && sb->frto != 0) {
		sb->frto = 0;	/* a timeout again before F-RTO decided: the loss is real */
		return;
	}
	if ((t->opt & TCB_OPT_TS) || c->cfg->cc == TCP_CC_BBR || !seq_lt(t->snd_max, t->snd_end) ||
	    (sb == NULL && (sb = tcp_sb_take(c, t)) == NULL))
		return;
	if (!(t->flags & TCB_RECOVERY)) {	/* in recovery, these are from before it */
		sb->prior_cwnd = t->cwnd;
		sb->prior_ssthresh = t->ssthresh;
	}
	sb->frto = 1;
	sb->frto_recover = t->snd_max;
}

/*
 * The ACKs after the resend (RFC 5682 §2, steps 2 and 3). The first: a duplicate, or one that
 * acknowledges everything sent before the timeout, leaves the conventional recovery (go-back-N
 * in slow start) to go on; one that acknowledges the resend and not all the rest lets two new
 * segments go instead of resending more. The second: a duplicate means the loss was real
 * (go back, at most 3 segments); one that acknowledges more means the originals arrived - the
 * timeout was spurious, the window and threshold from before it return (RFC 4015's response).
 */
bool
tcp_frto_ack(struct tcp_ctx *c, struct tcb *t, uint32_t delta_una)
{
	struct scoreboard *sb = tcb_sb(c, t);
	uint32_t mss = t->snd_mss;

	if (sb->frto == 1) {
		if (delta_una == 0 || !seq_lt(t->snd_una, sb->frto_recover) ||
		    !seq_lt(t->snd_max, t->snd_end)) {
			sb->frto = 0;	/* step 2a: conventional recovery */
			return false;
		}
		sb->frto = 2;	/* step 2b */
		c->st->frto_new_data++;
		t->snd_nxt = t->snd_max;
		t->cwnd = t->snd_max - t->snd_una + 2 * mss;
		return true;
	}
	sb->frto = 0;
	if (delta_una == 0) {	/* step 3a */
		t->cwnd = t->cwnd < 3 * mss ? t->cwnd : 3 * mss;
		t->snd_nxt = t->snd_una;
		sb->high_rxt = t->snd_una;
		return true;
	}
	t->cwnd = t->cwnd > sb->prior_cwnd ? t->cwnd : sb->prior_cwnd;	/* step 3b */
	t->ssthresh = sb->prior_ssthresh;
	t->recover = t->snd_una;
	sb->high_rxt = t->snd_una;
	sb->rto_mark = t->snd_una;
	c->st->frto_undos++;
	return true;
}
