/* tcp_out.c - what the core sends: data within the peer's window, FIN, ACKs, SYN-ACK, and timer expiry. */
#include "bbr.h"
#include "reasm.h"
#include "sack.h"
#include "seq.h"
#include "tcp_priv.h"

#include <stddef.h>
#include <string.h>

uint32_t
tcp_adv_window(const struct tcb *t)
{
	uint32_t edge = t->rcv_nxt + t->rcv_wnd;
	uint32_t wnd, max = 65535u << t->rcv_ws;

	if (seq_lt(edge, t->rcv_adv))
		edge = t->rcv_adv;	/* never shrink the offered window */
	wnd = edge - t->rcv_nxt;
	return wnd > max ? max : wnd;
}

/* Timestamps on every segment once agreed (RFC 7323 §3.2); SACK blocks while data is held,
 * after a D-SACK block when a duplicate is being reported (RFC 2883 §4). */
static void
add_options(struct tcp_ctx *c, struct tcb *t, struct tcp_out *o)
{
	struct tcp_opts opts;

	opts.present = 0;
	opts.nsack = 0;
	if (t->opt & TCB_OPT_TS) {
		opts.present |= TCP_HAVE_TIMESTAMP;
		opts.ts_val = tcp_ts_now(c, t);
		opts.ts_ecr = t->ts_recent;
	}
	if ((t->opt & TCB_OPT_SACK) && ((t->rq != 0 && tcb_rq(c, t)->n > 0) || c->dsack_on)) {
		/* 40 option bytes: 3 blocks next to a timestamp, 4 without (RFC 2018 §3); and the
		 * segment must still fit the peer's MSS, so a full data segment carries none. */
		uint32_t room = o->len < t->snd_mss ? t->snd_mss - o->len : 0;
		uint32_t max = room >= 4 ? (room - 4) / 8 : 0;

		if (max > ((t->opt & TCB_OPT_TS) ? 3u : 4u))
			max = (t->opt & TCB_OPT_TS) ? 3u : 4u;
		if (max > 0) {
			unsigned int nb = 0;

			if (c->dsack_on) {
				opts.sack[0].left = c->dsack_left;
				opts.sack[0].right = c->dsack_right;
				nb = 1;
				c->st->dsack_tx++;
			}
			if (t->rq != 0 && tcb_rq(c, t)->n > 0 && max > nb) {
				struct tcp_opts held;
				unsigned int n = reasm_sack(tcb_rq(c, t), &held, max - nb);

				memcpy(&opts.sack[nb], held.sack, n * sizeof(held.sack[0]));
				nb += n;
			}
			opts.nsack = (uint8_t)nb;
			opts.present |= TCP_HAVE_SACK;
			c->st->sack_tx++;
		}
	}
	if (opts.present != 0)
		o->optlen = (uint8_t)tcp_opts_build(o->opt, &opts);
}

/* Every segment we send on a record carries the ACK and window of the moment. */
static void
send_seg(struct tcp_ctx *c, struct tcb *t, struct tcp_out *o)
{
	uint32_t adv = tcp_adv_window(t), edge;

	o->ack = t->rcv_nxt;
	if (o->flags & TCP_SYN) {
		/* The window of a SYN is never scaled (RFC 7323 §2.2). */
		o->wnd = (uint16_t)(adv > 65535 ? 65535 : adv);
		edge = t->rcv_nxt + o->wnd;
	} else {
		/* Round up so scaling never takes back the edge already offered. */
		uint32_t w = (adv + (1u << t->rcv_ws) - 1) >> t->rcv_ws;

		o->wnd = (uint16_t)(w > 65535 ? 65535 : w);
		edge = t->rcv_nxt + ((uint32_t)o->wnd << t->rcv_ws);
		add_options(c, t, o);
	}
	if (seq_gt(edge, t->rcv_adv))
		t->rcv_adv = edge;
	t->flags &= (uint16_t)~(TCB_ACK_NOW | TCB_DACK);
	tcp_emit(c, t, o);
}

static inline void
out_init(struct tcp_out *o, uint32_t seq, uint32_t len, uint8_t flags)
{
	memset(o, 0, offsetof(struct tcp_out, opt));
	o->seq = seq;
	o->len = len;
	o->flags = flags;
}

void
tcp_emit_ack(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_out o;

	out_init(&o, t->snd_nxt, 0, TCP_ACK);
	send_seg(c, t, &o);
}

void
tcp_emit_dsack(struct tcp_ctx *c, struct tcb *t, uint32_t left, uint32_t right)
{
	uint32_t dist = seq_lt(left, t->rcv_nxt) ? t->rcv_nxt - left : left - t->rcv_nxt;

	/* only a plausible recent duplicate: within two windows of what we acknowledge */
	if ((t->opt & TCB_OPT_SACK) && seq_lt(left, right) && dist <= 2 * c->cfg->rcv_wnd &&
	    right - left <= 2 * c->cfg->rcv_wnd) {
		c->dsack_on = true;
		c->dsack_left = left;
		c->dsack_right = right;
	}
	tcp_emit_ack(c, t);
	c->dsack_on = false;
	t->flags &= (uint16_t)~TCB_ACK_NOW;	/* this was the ACK owed */
}

/* The options of a SYN or SYN-ACK: MSS, and of window scale (@p ws), SACK-permitted and
 * timestamps (echoing @p ecr) those that @p opt holds. */
static void
syn_options(struct tcp_ctx *c, struct tcb *t, uint8_t opt, uint8_t ws, uint32_t ecr,
	    struct tcp_out *o)
{
	struct tcp_opts opts = { .present = TCP_HAVE_MSS, .mss = tcp_our_mss(c->cfg, &t->tuple) };

	if (opt & TCB_OPT_WS) {
		opts.present |= TCP_HAVE_WSCALE;
		opts.wscale = ws;
	}
	if (opt & TCB_OPT_SACK)
		opts.present |= TCP_HAVE_SACK_PERM;
	if (opt & TCB_OPT_TS) {
		opts.present |= TCP_HAVE_TIMESTAMP;
		opts.ts_val = tcp_ts_now(c, t);
		opts.ts_ecr = ecr;
	}
	o->optlen = (uint8_t)tcp_opts_build(o->opt, &opts);
}

void
tcp_emit_synack(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_out o;

	/* Answer only what the peer offered (RFC 7323 §2.2, §3.2; RFC 2018 §2). */
	out_init(&o, t->iss, 0, TCP_SYN | TCP_ACK);
	syn_options(c, t, t->opt, t->rcv_ws, t->ts_recent, &o);
	send_seg(c, t, &o);
}

void
tcp_emit_syn(struct tcp_ctx *c, struct tcb *t)
{
	const struct tcp_cfg *cfg = c->cfg;
	struct tcp_out o;

	/* Offer what we support; the SYN-ACK says what the peer agrees to (RFC 7323, RFC 2018). */
	out_init(&o, t->iss, 0, TCP_SYN);
	o.wnd = (uint16_t)(cfg->rcv_wnd > 65535 ? 65535 : cfg->rcv_wnd);
	syn_options(c, t, cfg->features, cfg->rcv_ws, 0, &o);
	tcp_emit(c, t, &o);
}

/* One data segment of @p len bytes at snd_nxt. */
static void
send_data(struct tcp_ctx *c, struct tcb *t, uint32_t len, bool last)
{
	struct tcp_out o;

	/* PSH on the segment that empties the queue, as BSD-derived stacks do; the FIN too when the
	 * application asked for it (TCB_FIN_DATA): one segment less per close. */
	bool fin = last && (t->flags & (TCB_FIN_QUEUED | TCB_FIN_DATA)) ==
			   (TCB_FIN_QUEUED | TCB_FIN_DATA);

	out_init(&o, t->snd_nxt, len, TCP_ACK | (last ? TCP_PSH : 0) | (fin ? TCP_FIN : 0));
	if (seq_lt(t->snd_nxt, t->snd_max)) {
		c->st->retransmits++;
		if ((t->flags & TCB_RTT_TIMING) && seq_le(t->snd_nxt, t->rtt_seq) &&
		    seq_lt(t->rtt_seq, t->snd_nxt + len))
			t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn: the timed segment, resent */
	} else {
		tcp_rtt_start(c, t, t->snd_nxt);	/* new data only (Karn) */
		if (c->cfg->cc == TCP_CC_BBR)
			tcp_bbr_sent(c, t, t->snd_nxt + len);
	}
	c->st->data_tx_bytes += len;
	send_seg(c, t, &o);
	t->snd_nxt += len + fin;
	t->snd_max = seq_max(t->snd_max, t->snd_nxt);
}

void
tcp_send_at(struct tcp_ctx *c, struct tcb *t, uint32_t len)
{
	send_data(c, t, len, t->snd_nxt + len == t->snd_end);
}

/* The FIN at snd_end, once everything before it is out. */
static void
send_fin(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_out o;

	out_init(&o, t->snd_end, 0, TCP_FIN | TCP_ACK);
	if (seq_lt(t->snd_end, t->snd_max))
		c->st->retransmits++;
	send_seg(c, t, &o);
	t->snd_nxt = t->snd_end + 1;
	t->snd_max = seq_max(t->snd_max, t->snd_nxt);
}

void
tcp_rexmit_head(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t nxt = t->snd_nxt;

	t->snd_nxt = t->snd_una;
	tcp_output_one(c, t);
	t->snd_nxt = seq_max(nxt, t->snd_nxt);
}

void
tcp_output_one(struct tcp_ctx *c, struct tcb *t)
{
	if (seq_lt(t->snd_nxt, t->snd_end)) {
		uint32_t avail = t->snd_end - t->snd_nxt;
		uint32_t len = avail < t->snd_mss ? avail : t->snd_mss;

		if (seq_lt(t->snd_nxt, t->snd_max) && t->snd_max - t->snd_nxt < len)
			len = t->snd_max - t->snd_nxt;	/* resend what was sent, no more */
		send_data(c, t, len, len == avail);
	} else if ((t->flags & TCB_FIN_QUEUED) && t->snd_nxt == t->snd_end) {
		send_fin(c, t);
	}
}

/*
 * Data from snd_nxt up to the end of the queue, within both the peer's window and the
 * congestion window, one MSS per segment. Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a runt
 * goes only when it ends the queued data or fills at least half of the peer's window.
 * Returns true when it stopped for room in the output queue with more to send.
 */
static bool
output_data(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t cwnd = t->cwnd, wnd, win_end;

	if ((t->flags & TCB_RECOVERY) && t->sb != 0)
		return tcp_sb_output(c, t);	/* SACK recovery: PRR decides how much */
	if (t->flags & TCB_LIMITED_TX) {
		t->flags &= (uint16_t)~TCB_LIMITED_TX;
		if (t->dupacks < 3)
			cwnd += (uint32_t)t->dupacks * t->snd_mss;
	}
	wnd = t->snd_wnd < cwnd ? t->snd_wnd : cwnd;
	win_end = t->snd_una + wnd;
	if (t->sb != 0 && tcb_sb(c, t)->sacked > 0 && t->snd_nxt == t->snd_max) {
		/* Data SACKed above a hole has left the network: the window limits what is in it
		 * (the pipe, RFC 6675), not what lies beyond SND.UNA. While a hole waits out its
		 * reordering window (RACK: up to an SRTT) new data keeps going, as Linux's
		 * tcp_cwnd_test() lets it; the peer's window still counts from SND.UNA. Only ever
		 * more than SND.UNA + cwnd: after a timeout the pipe still counts the holes. */
		uint32_t pipe = tcp_sb_pipe(c, t), peer_end = t->snd_una + t->snd_wnd;
		uint32_t pipe_end = t->snd_nxt + (cwnd > pipe ? cwnd - pipe : 0);

		if (seq_gt(pipe_end, win_end))
			win_end = seq_lt(pipe_end, peer_end) ? pipe_end : peer_end;
	}
	t->flags &= (uint16_t)~TCB_TX_WAIT;

	while (seq_lt(t->snd_nxt, t->snd_end)) {
		uint32_t avail = t->snd_end - t->snd_nxt;
		uint32_t room = seq_gt(win_end, t->snd_nxt) ? win_end - t->snd_nxt : 0;
		uint32_t len = avail < room ? avail : room;

		if (t->sb != 0 && seq_lt(t->snd_nxt, t->snd_max)) {
			/* going back after an RTO: never resend what the peer holds (RFC 6675 §5.1) */
			uint32_t gap, at = tcp_sb_skip(c, t, t->snd_nxt, &gap);

			if (at != t->snd_nxt) {
				t->snd_nxt = seq_lt(at, t->snd_max) ? at : t->snd_max;
				continue;
			}
			if (len > gap)
				len = gap;
		}
		if (len > t->snd_mss)
			len = t->snd_mss;
		if (len == 0)
			break;
		if (len < t->snd_mss && len < avail && !seq_lt(t->snd_nxt, t->snd_max) &&
		    (t->cwnd < t->snd_wnd || len < (t->snd_wnd >> 1)))
			break;	/* wait for ACKs to open a full segment (new data only) */
		if (tcp_outq_room(c) <= TCP_OUTQ_CALL_MAX)
			return true;	/* the runtime drains the queue and calls again */
		if (c->cfg->cc == TCP_CC_BBR && !tcp_bbr_pace(c, t, len))
			break;		/* the pacing wheel calls again */
		if (c->tx_budgeted) {
			if (c->tx_budget == 0) {
				t->flags |= TCB_TX_WAIT;	/* the runtime calls again */
				c->st->tx_waits++;
				break;
			}
			c->tx_budget--;
		}
		send_data(c, t, len, len == avail);
	}
	return false;
}

/*
 * RFC 1122 §4.2.3.3 receiver SWS avoidance: a window that opened by at least min(half the
 * buffer, one MSS) may be announced. It goes at once only when what is left of the window we
 * announced has fallen to half the buffer or less and the one we can offer now is at least
 * twice that (Linux's tcp_cleanup_rbuf() rule); otherwise it rides on the next ACK, delayed or
 * not. Announcing every opening at once would ACK every segment of a bulk transfer whose reader
 * keeps up, defeating delayed ACKs (RFC 9293 §3.8.6.3).
 */
static void
window_update_check(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t thresh = c->cfg->rcv_wnd / 2 < t->snd_mss ? c->cfg->rcv_wnd / 2 : t->snd_mss;
	uint32_t adv = tcp_adv_window(t);

	if (adv >= cur + thresh && (uint64_t)cur * 2 <= c->cfg->rcv_wnd && adv >= cur * 2)
		t->flags |= TCB_ACK_NOW;
}

/*
 * The handshake's third segment can ride on the first data of our open: that data waits for a
 * backed-up port (TCB_TX_WAIT) and nothing has arrived or been sent since the SYN-ACK. The ACK
 * is then owed as a delayed one (RFC 9293 §3.8.6.3 lets an ACK wait up to 500 ms; --delack-ms
 * bounds it here): the data carries it when the port takes frames again, or the delayed-ACK timer
 * sends it - instead of a frame of its own into the full queue, followed by the data anyway.
 * A client outrunning its port (tcpe's client past a server's capacity) sent 0.3 lone ACKs per
 * connection, frames its server then had to parse and look up.
 */
static inline bool
ack_rides_on_data(const struct tcb *t)
{
	return (t->flags & (TCB_TX_WAIT | TCB_DACK | TCB_PEER_FIN)) == TCB_TX_WAIT &&
	       t->state == TCP_ESTABLISHED && t->rcv_nxt == t->irs + 1 &&
	       t->snd_nxt == t->iss + 1 && t->snd_una == t->snd_nxt && seq_lt(t->snd_nxt, t->snd_end);
}

bool
tcp_output(struct tcp_ctx *c, struct tcb *t)
{
	if (tcp_can_receive(t))
		window_update_check(c, t);
	switch (t->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (output_data(c, t))
			return true;	/* the ACK and FIN follow with the rest */
		/*
		 * The FIN goes as a segment of its own once the data before it is out, as a socket
		 * application's write() then shutdown() does: the seed's trace has data and FIN apart.
		 * With TCB_FIN_DATA it left on the last data segment (snd_nxt is then past snd_end).
		 */
		if ((t->flags & TCB_FIN_QUEUED) && t->snd_nxt == t->snd_end)
			send_fin(c, t);
		/* In flight, or data waiting on a closed window (the timer then probes it) or for
		 * the port (TCB_TX_WAIT: a port that stays backed up ends the connection as loss
		 * would). */
		if ((!tmr_armed(&t->timer) || (t->flags & TCB_IDLE)) &&
		    (t->snd_una != t->snd_max || t->snd_nxt != t->snd_end))
			tcp_rto_tlp_arm(c, t);	/* with a probe before it, when one may go */
		else
			tcp_tlp_arm(c, t);
		tcp_idle_check(c, t);
		break;
	default:
		break;
	}
	if ((t->flags & TCB_ACK_NOW) && ack_rides_on_data(t)) {
		t->flags &= (uint16_t)~TCB_ACK_NOW;
		tcp_dack_owe(c, t);	/* ACK_NOW again: no delayed ACKs, or their FIFO is full */
		if (!(t->flags & TCB_ACK_NOW))
			c->st->acks_on_data++;
	}
	if (t->flags & TCB_ACK_NOW)
		tcp_emit_ack(c, t);
	return false;
}

/* RFC 5681 §3.1 eq. 4 and RFC 6582 §4: after an RTO, one segment and a halved threshold. */
static void
rto_cc(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t mss = t->snd_mss;

	c->st->rto_expiries++;
	if (t->retries == 1) {	/* the first expiry of this loss episode only */
		tcp_sb_rto_mark(c, t);
		tcp_frto_start(c, t);
		tcp_cc_loss(c, t);
	} else if (t->sb != 0) {
		tcb_sb(c, t)->frto = 0;	/* again: F-RTO's answer is in, the loss is real */
	}
	t->cwnd = mss;
	t->cwnd_acc = 0;
	t->dupacks = 0;
	t->flags &= (uint16_t)~TCB_RECOVERY;
	t->recover = t->snd_max;
	if (t->sb != 0) {
		tcb_sb(c, t)->high_rxt = t->snd_una;	/* everything not SACKed is resent anew */
		tcb_sb(c, t)->rto_mark = t->snd_max;	/* ... so no hole below this tells of reordering */
		tcb_sb(c, t)->rxt_valid = 0;
		tcb_sb(c, t)->after_rxt = 0;
		tcb_sb(c, t)->rerxt_at = tcb_sb(c, t)->rerxt_end = t->snd_una;
		tcb_sb(c, t)->tlp_out = 0;	/* the timeout decided */
		tcb_sb(c, t)->undo_dsack = 0;
	}
}

/* Keepalive (RFC 1122 §4.2.3.6): an ACK one below SND.UNA makes a live peer answer. */
static void
keepalive(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx)
{
	struct tcp_out o;

	if (t->flags & TCB_KEEPALIVE) {
		if (++t->retries >= c->cfg->keepalive_probes) {
			c->st->keepalive_timeouts++;
			c->st->conn_timeout++;
			rx->events |= TCP_EV_RESET | TCP_EV_FREE;
			tcp_abort(c, t);
			return;
		}
	} else {
		t->retries = 0;
	}
	out_init(&o, t->snd_una - 1, 0, TCP_ACK);
	c->st->keepalive_tx++;
	send_seg(c, t, &o);
	tmr_wheel_arm(&c->wheel, &t->timer, c->now + c->cfg->keepalive_intvl_us);
	t->flags |= TCB_IDLE | TCB_KEEPALIVE;
}

/*
 * Black-hole detection (RFC 4821 §5 in the manner of Linux's tcp_mtu_probing=1): full-size
 * segments that time out again and again may be too big for a path that drops them without an
 * ICMP "fragmentation needed" reaching us (a filtering firewall, a tunnel). After the second
 * consecutive RTO of a full-size segment the MSS drops to TCP_BLACKHOLE_MSS, after the fourth to
 * the IPv4 minimum of 536; a path that was merely lossy only costs some segment size.
 */
static void
blackhole_check(struct tcp_ctx *c, struct tcb *t)
{
	uint16_t ts = (t->opt & TCB_OPT_TS) ? TCP_TS_SPACE : 0;
	uint16_t to;

	if (t->snd_max - t->snd_una < t->snd_mss || (t->retries != 2 && t->retries != 4))
		return;
	to = (uint16_t)((t->retries == 2 ? TCP_BLACKHOLE_MSS : 536) - ts);
	if (to >= t->snd_mss)
		return;
	t->snd_mss = to;
	c->st->pmtu_blackhole++;
}

bool
tcp_pmtu_toobig(struct tcp_ctx *c, struct tcb *t, uint32_t seq, uint16_t mtu)
{
	uint16_t ts = (t->opt & TCB_OPT_TS) ? TCP_TS_SPACE : 0;
	uint16_t mss;

	/* RFC 5927 §4.1: only for a sequence number we sent and that is not acknowledged yet -
	 * anyone can send ICMP, only an on-path party can quote what is in flight */
	if (t->state < TCP_ESTABLISHED || !seq_ge(seq, t->snd_una) || !seq_lt(seq, t->snd_nxt))
		return false;
	/* RFC 1191 §5: never below 68; tcpe keeps the IPv4 minimum datagram of 576 (RFC 791), as
	 * Linux keeps 552: a tiny announced MTU must not multiply our packets */
	if (mtu < 576)
		mtu = 576;
	mss = (uint16_t)(mtu - 40 - ts - (tuple_is_ip6(&t->tuple) ? TUPLE_IP6_EXTRA : 0));
	if (mss >= t->snd_mss)
		return true;	/* valid, nothing to lower */
	t->snd_mss = mss;
	c->st->pmtu_reduced++;
	/* What was sent at the old size is lost, not congested (RFC 1191 §6.5): resend it now, at
	 * the new size, with the window as it is. */
	t->flags &= (uint16_t)~TCB_RTT_TIMING;
	t->snd_nxt = t->snd_una;
	return true;
}

/* RTO or persist expiry for a synchronized record (RFC 6298 §5.4-5.6, RFC 9293 §3.8.6.1). */
static void
rto_expired(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx)
{
	const struct tcp_cfg *cfg = c->cfg;
	uint32_t rto2 = t->rto_us * 2;
	/* Linux's tcp_orphan_retries: a connection nobody will read from again gets fewer tries */
	uint8_t limit = (t->flags & TCB_FIN_QUEUED) ? cfg->orphan_retries : cfg->data_retries;

	if (++t->retries > limit) {
		c->st->conn_timeout++;
		rx->events |= TCP_EV_RESET | TCP_EV_FREE;
		tcp_abort(c, t);
		return;
	}
	t->rto_us = rto2 < cfg->rto_max_us ? rto2 : cfg->rto_max_us;
	t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn: no sample from what is resent */
	blackhole_check(c, t);
	if (t->snd_wnd != 0 || !seq_lt(t->snd_una, t->snd_end))
		rto_cc(c, t);
	if (t->snd_wnd == 0 && seq_lt(t->snd_una, t->snd_end)) {
		/* Zero-window probe (RFC 9293 §3.8.6.1): one byte at SND.UNA, the first time and every
		 * time after, until the window opens. */
		struct tcp_out o;

		out_init(&o, t->snd_una, 1, TCP_ACK);
		c->st->zwp_tx++;
		c->st->data_tx_bytes += 1;
		send_seg(c, t, &o);
		t->snd_nxt = seq_max(t->snd_nxt, t->snd_una + 1);
		t->snd_max = seq_max(t->snd_max, t->snd_nxt);
		tcp_rto_arm(c, t);
		return;
	}
	t->snd_nxt = t->snd_una;	/* go back N: resend from the oldest unacked byte */
	tcp_output(c, t);
	if (!tmr_armed(&t->timer) && t->snd_una != t->snd_max)
		tcp_rto_arm(c, t);
}

void
tcp_timer(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->drop = TCPE_DROP__COUNT;
	c->st->timers_fired++;

	/* The link was already taken off its list by the expiry scan. */
	if (t->flags & TCB_ON_TW) {
		t->flags &= (uint16_t)~TCB_ON_TW;
		c->st->tw_expired++;
		tcp_to_closed(c, t, rx);
		return;
	}
	if (t->flags & TCB_ON_FW2) {
		t->flags &= (uint16_t)~TCB_ON_FW2;
		c->st->fw2_expired++;
		tcp_to_closed(c, t, rx);
		return;
	}
	if (t->flags & TCB_IDLE) {
		t->flags &= (uint16_t)~TCB_IDLE;
		if (t->idle_ms == 0) {
			keepalive(c, t, rx);
			return;
		}
		c->st->idle_timeouts++;
		rx->events |= TCP_EV_IDLE;
		return;
	}
	if (t->flags & TCB_REO_TIMER) {
		t->flags &= (uint16_t)~TCB_REO_TIMER;
		tcp_sb_reo_timeout(c, t);
		return;
	}
	if (t->flags & TCB_TLP_TIMER) {
		t->flags &= (uint16_t)~TCB_TLP_TIMER;
		if (tcp_tlp_timeout(c, t))
			return;
	}
	if (t->state == TCP_SYN_SENT) {
		if (++t->retries > c->cfg->synack_retries) {
			c->st->conn_timeout++;
			rx->events |= TCP_EV_RESET;
			tcp_to_closed(c, t, rx);
			return;
		}
		t->rto_us = t->rto_us * 2 < c->cfg->rto_max_us ? t->rto_us * 2 : c->cfg->rto_max_us;
		t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn */
		c->st->syn_rexmit++;
		tcp_emit_syn(c, t);
		tcp_rto_arm(c, t);
		return;
	}
	if (t->state == TCP_SYN_RCVD) {
		if (++t->retries > c->cfg->synack_retries) {
			c->st->conn_timeout++;
			tcp_to_closed(c, t, rx);
			return;
		}
		t->rto_us = t->rto_us * 2 < c->cfg->rto_max_us ? t->rto_us * 2 : c->cfg->rto_max_us;
		t->flags &= (uint16_t)~TCB_RTT_TIMING;	/* Karn */
		c->st->synack_rexmit++;
		tcp_emit_synack(c, t);
		tcp_rto_arm(c, t);
		return;
	}
	rto_expired(c, t, rx);
}
