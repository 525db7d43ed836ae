/* tcp_out.c - what the core sends: data within the peer's window, FIN, ACKs, SYN-ACK, and timer expiry. */
#include "seq.h"
#include "tcp_priv.h"

#include <stddef.h>
#include <string.h>

uint32_t
tcp_adv_window(const struct tcb *t)
{
	uint32_t edge = t->rcv_nxt + t->rcv_wnd;
	uint32_t wnd;

	if (seq_lt(edge, t->rcv_adv))
		edge = t->rcv_adv;	/* never shrink the offered window */
	wnd = edge - t->rcv_nxt;
	return wnd > 65535 ? 65535 : wnd;
}

/* Every segment we send on a record carries the ACK and window of the moment. */
static void
send_seg(struct tcp_ctx *c, struct tcb *t, struct tcp_out *o)
{
	o->ack = t->rcv_nxt;
	o->wnd = (uint16_t)tcp_adv_window(t);
	if (seq_gt(t->rcv_nxt + o->wnd, t->rcv_adv))
		t->rcv_adv = t->rcv_nxt + o->wnd;
	t->flags &= (uint8_t)~TCB_ACK_NOW;
	c->emit(c->emit_arg, t, o);
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
tcp_emit_synack(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_opts opts = { .present = TCP_HAVE_MSS, .mss = c->cfg->mss };
	struct tcp_out o;

	out_init(&o, t->iss, 0, TCP_SYN | TCP_ACK);
	o.optlen = (uint8_t)tcp_opts_build(o.opt, &opts);
	send_seg(c, t, &o);
}

/* Data from snd_nxt up to the end of the queue, the peer's window and one MSS per segment. */
static bool
output_data(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t win_end = t->snd_una + t->snd_wnd;
	bool sent = false;

	while (seq_lt(t->snd_nxt, t->snd_end)) {
		uint32_t avail = t->snd_end - t->snd_nxt;
		uint32_t room = seq_gt(win_end, t->snd_nxt) ? win_end - t->snd_nxt : 0;
		uint32_t len = avail < room ? avail : room;
		struct tcp_out o;

		if (len > t->snd_mss)
			len = t->snd_mss;
		if (len == 0)
			break;
		/* PSH on the segment that empties the queue, as BSD-derived stacks do. */
		out_init(&o, t->snd_nxt, len, TCP_ACK | (len == avail ? TCP_PSH : 0));
		if (seq_lt(t->snd_nxt, t->snd_max))
			c->st->retransmits++;
		else
			tcp_rtt_start(c, t, t->snd_nxt);	/* new data only (Karn) */
		c->st->data_tx_bytes += len;
		send_seg(c, t, &o);
		t->snd_nxt += len;
		t->snd_max = seq_max(t->snd_max, t->snd_nxt);
		sent = true;
	}
	return sent;
}

/* RFC 1122 §4.2.3.3 receiver SWS avoidance: announce a window that opened by at least
 * min(half the buffer, one MSS) since the last advertisement. */
static void
window_update_check(struct tcp_ctx *c, struct tcb *t)
{
	uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t thresh = c->cfg->rcv_wnd / 2 < t->snd_mss ? c->cfg->rcv_wnd / 2 : t->snd_mss;

	if (tcp_adv_window(t) >= cur + thresh)
		t->flags |= TCB_ACK_NOW;
}

void
tcp_output(struct tcp_ctx *c, struct tcb *t)
{
	struct tcp_out o;

	if (tcp_can_receive(t))
		window_update_check(c, t);
	switch (t->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		output_data(c, t);
		/*
		 * The FIN goes as a segment of its own once the data before it is out, as a socket
		 * application's write() then shutdown() does: the seed's trace has data and FIN apart.
		 */
		if ((t->flags & TCB_FIN_QUEUED) && t->snd_nxt == t->snd_end) {
			out_init(&o, t->snd_end, 0, TCP_FIN | TCP_ACK);
			if (seq_lt(t->snd_end, t->snd_max))
				c->st->retransmits++;
			send_seg(c, t, &o);
			t->snd_nxt = t->snd_end + 1;
			t->snd_max = seq_max(t->snd_max, t->snd_nxt);
		}
		/* In flight, or data waiting on a closed window (the timer then probes it). */
		if ((!tmr_armed(&t->timer) || (t->flags & TCB_IDLE)) &&
		    (t->snd_una != t->snd_max || t->snd_nxt != t->snd_end))
			tcp_rto_arm(c, t);
		tcp_idle_check(c, t);
		break;
	default:
		break;
	}
	if (t->flags & TCB_ACK_NOW)
		tcp_emit_ack(c, t);
}

/* RTO or persist expiry for a synchronized record (RFC 6298 §5.4-5.6, RFC 9293 §3.8.6.1). */
static void
rto_expired(struct tcp_ctx *c, struct tcb *t, struct tcp_rx *rx)
{
	const struct tcp_cfg *cfg = c->cfg;
	uint32_t rto2 = t->rto_us * 2;

	if (++t->retries > cfg->data_retries) {
		c->st->conn_timeout++;
		rx->events |= TCP_EV_RESET | TCP_EV_FREE;
		tcp_abort(c, t);
		return;
	}
	t->rto_us = rto2 < cfg->rto_max_us ? rto2 : cfg->rto_max_us;
	t->flags &= (uint8_t)~TCB_RTT_TIMING;	/* Karn: no sample from what is resent */
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
		t->flags &= (uint8_t)~TCB_ON_TW;
		c->st->tw_expired++;
		tcp_to_closed(c, t, rx);
		return;
	}
	if (t->flags & TCB_ON_FW2) {
		t->flags &= (uint8_t)~TCB_ON_FW2;
		c->st->fw2_expired++;
		tcp_to_closed(c, t, rx);
		return;
	}
	if (t->flags & TCB_IDLE) {
		t->flags &= (uint8_t)~TCB_IDLE;
		c->st->idle_timeouts++;
		rx->events |= TCP_EV_IDLE;
		return;
	}
	if (t->state == TCP_SYN_RCVD) {
		if (++t->retries > c->cfg->synack_retries) {
			c->st->conn_timeout++;
			tcp_to_closed(c, t, rx);
			return;
		}
		t->rto_us = t->rto_us * 2 < c->cfg->rto_max_us ? t->rto_us * 2 : c->cfg->rto_max_us;
		t->flags &= (uint8_t)~TCB_RTT_TIMING;	/* Karn */
		c->st->synack_rexmit++;
		tcp_emit_synack(c, t);
		tcp_rto_arm(c, t);
		return;
	}
	rto_expired(c, t, rx);
}
