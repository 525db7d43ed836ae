/* sack.c - SACK-based loss recovery for what we send: the scoreboard (RFC 6675), which holes are lost and what to resend next, and how much recovery may send (PRR, RFC 6937). */
#include "sack.h"

#include <string.h>

#include "seq.h"
#include "tcp_priv.h"

void
tcp_sb_pool_init(struct tcp_ctx *c, struct scoreboard *sbs, uint32_t n)
{
	c->sb_free = NULL;
	for (uint32_t i = n; i-- > 0;) {
		sbs[i].next_free = c->sb_free;
		c->sb_free = &sbs[i];
	}
}

void
tcp_sb_put(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = t->sb;

	if (sb == NULL)
		return;
	sb->next_free = c->sb_free;
	c->sb_free = sb;
	t->sb = NULL;
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

/* Add [s, e) (within SND.UNA .. SND.MAX), merging with what it touches. With every slot taken, the
 * block farthest from SND.UNA gives way: the holes nearest to it matter most. */
static void
sb_add(struct scoreboard *sb, uint32_t s, uint32_t e)
{
	unsigned int i = 0, j;

	while (i < sb->n && seq_lt(sb->b[i].e, s))
		i++;
	j = i;
	while (j < sb->n && seq_le(sb->b[j].s, e)) {	/* overlapping or adjacent: merge */
		s = seq_lt(sb->b[j].s, s) ? sb->b[j].s : s;
		e = seq_gt(sb->b[j].e, e) ? sb->b[j].e : e;
		sb->sacked -= sb->b[j].e - sb->b[j].s;
		j++;
	}
	if (j == i && sb->n == SB_BLOCKS) {
		if (i == SB_BLOCKS)
			return;		/* beyond every block we keep */
		sb->sacked -= sb->b[SB_BLOCKS - 1].e - sb->b[SB_BLOCKS - 1].s;
		sb->n--;
	}
	if (j != i + 1)
		memmove(&sb->b[i + 1], &sb->b[j], (sb->n - j) * sizeof(sb->b[0]));
	sb->n = (uint8_t)(sb->n - (j - i) + 1);
	sb->b[i].s = s;
	sb->b[i].e = e;
	sb->sacked += e - s;
}

uint32_t
tcp_sb_update(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	struct scoreboard *sb = t->sb;
	uint32_t before;

	if (sb == NULL) {
		if (s->opts.nsack == 0 || c->sb_free == NULL)
			return 0;
		sb = c->sb_free;
		c->sb_free = sb->next_free;
		memset(sb, 0, sizeof(*sb));
		sb->high_rxt = t->snd_una;
		/* taken in the middle of a NewReno recovery: PRR goes on from what is in flight */
		sb->recover_fs = t->snd_max - t->snd_una;
		t->sb = sb;
	}
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
		sb_add(sb, l, r);
	}
	c->st->sack_rx += s->opts.nsack;
	return sb->sacked > before ? sb->sacked - before : 0;
}

bool
tcp_sb_lost(const struct tcb *t, uint32_t seq)
{
	const struct scoreboard *sb = t->sb;
	uint32_t bytes = 0, blocks = 0;

	if (sb == NULL)
		return false;
	for (unsigned int k = sb->n; k-- > 0 && seq_gt(sb->b[k].e, seq);) {
		bytes += sb->b[k].e - (seq_gt(sb->b[k].s, seq) ? sb->b[k].s : seq);
		blocks++;
	}
	return blocks >= SB_DUPTHRESH || bytes > (SB_DUPTHRESH - 1) * (uint32_t)t->snd_mss;
}

uint32_t
tcp_sb_pipe(const struct tcb *t)
{
	const struct scoreboard *sb = t->sb;
	uint32_t pipe = 0, at = t->snd_una;

	if (sb == NULL)
		return t->snd_max - t->snd_una;
	/* Holes below the last block: lost or in flight as a whole (IsLost only changes at SACKed
	 * bytes); what of them was resent is in flight again. Above the last block, all of it. */
	for (unsigned int k = 0; k <= sb->n; k++) {
		uint32_t he = k < sb->n ? sb->b[k].s : t->snd_max;

		if (seq_lt(at, he)) {
			if (k == sb->n || !tcp_sb_lost(t, at))
				pipe += he - at;
			if (seq_gt(sb->high_rxt, at))
				pipe += (seq_lt(sb->high_rxt, he) ? sb->high_rxt : he) - at;
		}
		if (k < sb->n)
			at = sb->b[k].e;
	}
	return pipe;
}

uint32_t
tcp_sb_skip(const struct tcb *t, uint32_t seq, uint32_t *room)
{
	const struct scoreboard *sb = t->sb;

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
next_lost(const struct tcb *t, uint32_t *seq, uint32_t *len)
{
	const struct scoreboard *sb = t->sb;
	uint32_t at = seq_gt(sb->high_rxt, t->snd_una) ? sb->high_rxt : t->snd_una, room;

	at = tcp_sb_skip(t, at, &room);
	if (room == UINT32_MAX || !tcp_sb_lost(t, at))
		return false;	/* above the last block, or not lost (nor is anything above it) */
	*seq = at;
	*len = room < t->snd_mss ? room : t->snd_mss;
	return true;
}

void
tcp_sb_recovery_enter(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = t->sb;

	sb->prior_cwnd = t->cwnd;
	sb->prior_ssthresh = t->ssthresh;
	/* TSval 0 is a valid clock value too; a 1 keeps "no undo" apart from it */
	sb->undo_ts = (t->opt & TCB_OPT_TS) ? tcp_ts_now(c, t) | 1 : 0;
	sb->undo_seq = t->snd_una;
	tcp_cc_loss(c, t);
	t->recover = t->snd_max;
	t->flags |= TCB_RECOVERY;
	c->st->cc_recoveries++;
	c->st->sack_recoveries++;
	sb->high_rxt = t->snd_una;
	sb->recover_fs = t->snd_max - t->snd_una;
	sb->prr_delivered = 0;
	sb->prr_out = 0;
	/* RFC 6675 §5 step 4.2: the first lost segment goes at once, whatever PRR says */
	sb->quota = t->snd_mss;
}

void
tcp_sb_recovery_ack(struct tcb *t, uint32_t delivered)
{
	struct scoreboard *sb = t->sb;
	uint32_t pipe = tcp_sb_pipe(t), ss = t->ssthresh, mss = t->snd_mss;
	int64_t sndcnt;

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

/* One segment of @p len at @p seq, counted against PRR; HighRxt follows a retransmission. */
static void
recovery_send(struct tcp_ctx *c, struct tcb *t, uint32_t seq, uint32_t len)
{
	struct scoreboard *sb = t->sb;
	uint32_t nxt = t->snd_nxt;

	t->snd_nxt = seq;
	tcp_send_at(c, t, len);
	if (seq_lt(seq, nxt)) {
		t->snd_nxt = nxt;
		if (seq_gt(seq + len, sb->high_rxt))
			sb->high_rxt = seq + len;
	}
	sb->prr_out += len;
	sb->quota = sb->quota > len ? sb->quota - len : 0;
}

bool
tcp_sb_output(struct tcp_ctx *c, struct tcb *t)
{
	struct scoreboard *sb = t->sb;

	while (sb->quota > 0) {
		uint32_t seq, len;

		if (tcp_outq_room(c) <= TCP_OUTQ_CALL_MAX)
			return true;
		if (next_lost(t, &seq, &len)) {
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
		if (seq_gt(t->snd_nxt + len, t->snd_una + t->snd_wnd))
			break;
		recovery_send(c, t, t->snd_nxt, len);
	}
	return false;
}

bool
tcp_sb_undo(struct tcp_ctx *c, struct tcb *t, const struct tcp_seg *s)
{
	struct scoreboard *sb = t->sb;

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
	/* the peer saw that much reordering: wait for more before calling a hole lost */
	/* DupThresh stays 3: raising it to the reordering just seen (as Linux's tp->reordering
	 * does) turned this path's real losses into timeouts (24 -> 173 RTOs on the harsh lossy
	 * profile) - without RACK's time-based detection a higher threshold is not reached in small
	 * windows. */
	c->st->cc_undos++;
	return true;
}
