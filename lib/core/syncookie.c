/* syncookie.c - stateless SYN-ACKs (RFC 4987 §3.6): the handshake's state encoded in our ISN and checked when the ACK returns. */
#include <string.h>

#include "isn.h"
#include "seq.h"
#include "tcp_priv.h"

/*
 * ISN layout: [31..10] MAC over (tuple, peer ISN, time slot, data) | [9..8] slot & 3 |
 * [7..0] data = MSS index (2 bits) | window shift + 1, 0 = none (4) | SACK (1) | timestamps (1).
 * A slot is 2^26 us (~67 s); an ACK is accepted in the slot of its SYN-ACK or the next one.
 */
#define SLOT_SHIFT 26

static const uint16_t mss_table[4] = { 536, 1220, 1440, 1460 };

static uint32_t
cookie_mac(const struct tcp_ctx *c, const struct tcp_tuple *tuple, uint32_t peer_isn,
	   uint32_t slot, uint32_t data)
{
	struct {
		struct tcp_tuple tuple;
		uint32_t peer_isn, slot, data, magic;
	} in;

	memset(&in, 0, sizeof(in));
	in.tuple = *tuple;
	in.peer_isn = peer_isn;
	in.slot = slot;
	in.data = data;
	in.magic = 0x434f4f4bu;	/* keeps cookie MACs apart from ISN hashes under one key */
	return (uint32_t)siphash24(c->cfg->isn_key, &in, sizeof(in)) & 0xfffffc00u;
}

void
tcp_syncookie_synack(const struct tcp_ctx *c, const struct tcp_tuple *tuple,
		     const struct tcp_seg *syn, struct tcp_out *o)
{
	const struct tcp_cfg *cfg = c->cfg;
	uint16_t peer_mss = (syn->opts.present & TCP_HAVE_MSS) ? syn->opts.mss : 536;
	uint32_t slot = (uint32_t)(c->now >> SLOT_SHIFT), data = 0, idx = 0;
	struct tcb t;	/* what tcp_negotiate() would agree, worked out on a scratch record */
	struct tcp_opts opts = { .present = TCP_HAVE_MSS };

	if (peer_mss > tcp_our_mss(cfg, tuple))
		peer_mss = tcp_our_mss(cfg, tuple);
	while (idx < 3 && mss_table[idx + 1] <= peer_mss)
		idx++;
	memset(&t, 0, sizeof(t));
	t.tuple = *tuple;
	tcp_negotiate(c, &t, &syn->opts);
	data = idx | ((t.opt & TCB_OPT_WS) ? (uint32_t)(t.snd_ws + 1) << 2 : 0) |
	       ((t.opt & TCB_OPT_SACK) ? 1u << 6 : 0) | ((t.opt & TCB_OPT_TS) ? 1u << 7 : 0);
	memset(o, 0, offsetof(struct tcp_out, opt));
	o->seq = cookie_mac(c, tuple, syn->seq, slot, data) | (slot & 3) << 8 | data;
	o->ack = syn->seq + 1;
	o->flags = TCP_SYN | TCP_ACK;
	o->wnd = (uint16_t)(cfg->rcv_wnd > 65535 ? 65535 : cfg->rcv_wnd);
	opts.mss = tcp_our_mss(cfg, tuple);
	if (t.opt & TCB_OPT_WS) {
		opts.present |= TCP_HAVE_WSCALE;
		opts.wscale = cfg->rcv_ws;
	}
	if (t.opt & TCB_OPT_SACK)
		opts.present |= TCP_HAVE_SACK_PERM;
	if (t.opt & TCB_OPT_TS) {
		opts.present |= TCP_HAVE_TIMESTAMP;
		opts.ts_val = tcp_ts_now(c, &t);
		opts.ts_ecr = syn->opts.ts_val;
	}
	o->optlen = (uint8_t)tcp_opts_build(o->opt, &opts);
	c->st->syncookies_sent++;
}

bool
tcp_syncookie_check(const struct tcp_ctx *c, const struct tcp_tuple *tuple,
		    const struct tcp_seg *ack, struct tcp_opts *agreed)
{
	uint32_t cookie = ack->ack - 1, peer_isn = ack->seq - 1, data = cookie & 0xff;
	uint32_t now_slot = (uint32_t)(c->now >> SLOT_SHIFT);

	if ((ack->flags & (TCP_SYN | TCP_RST | TCP_ACK)) != TCP_ACK)
		return false;
	for (uint32_t back = 0; back < 2; back++) {
		uint32_t slot = now_slot - back;

		if ((slot & 3) != ((cookie >> 8) & 3) ||
		    cookie_mac(c, tuple, peer_isn, slot, data) != (cookie & 0xfffffc00u))
			continue;
		memset(agreed, 0, sizeof(*agreed));
		agreed->present = TCP_HAVE_MSS;
		agreed->mss = mss_table[data & 3];
		if ((data >> 2) & 0xf) {
			agreed->present |= TCP_HAVE_WSCALE;
			agreed->wscale = (uint8_t)(((data >> 2) & 0xf) - 1);
		}
		if (data & (1u << 6))
			agreed->present |= TCP_HAVE_SACK_PERM;
		if ((data & (1u << 7)) && (ack->opts.present & TCP_HAVE_TIMESTAMP)) {
			agreed->present |= TCP_HAVE_TIMESTAMP;
			agreed->ts_val = ack->opts.ts_val;
		}
		return true;
	}
	return false;
}

void
tcp_syncookie_open(struct tcp_ctx *c, struct tcb *t, const struct tcp_tuple *tuple,
		   const struct tcp_seg *ack, const struct tcp_opts *agreed)
{
	const struct tcp_cfg *cfg = c->cfg;

	memset(t, 0, sizeof(*t));
	t->tuple = *tuple;
	t->state = TCP_CLOSED;
	t->irs = ack->seq - 1;
	t->rcv_nxt = ack->seq;
	t->rcv_wnd = cfg->rcv_wnd;
	t->iss = ack->ack - 1;
	t->snd_una = t->snd_nxt = t->snd_max = t->snd_end = ack->ack;
	t->snd_wl1 = ack->seq;
	t->snd_wl2 = ack->ack;
	t->snd_mss = agreed->mss < tcp_our_mss(cfg, tuple) ? agreed->mss : tcp_our_mss(cfg, tuple);
	t->rto_us = cfg->rto_init_us;
	tcp_negotiate(c, t, agreed);
	t->snd_wnd = (uint32_t)ack->wnd << t->snd_ws;
	t->max_wnd_raw = ack->wnd;
	t->rcv_adv = t->rcv_nxt + tcp_adv_window(t);
	tcp_cc_init(c, t);
	tcp_set_state(c, t, TCP_ESTABLISHED);
	c->st->conn_opened++;
	c->st->syncookies_ok++;
}
