/* worker.c - the poll-mode loop: rx burst -> classify -> steer -> connection table -> timers -> tx flush; and building a worker from the config. */
#include "worker.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "client.h"
#include "icmp.h"
#include "leave.h"
#include "nd.h"
#include "trace.h"

#define PREFETCH_AHEAD 3

static inline uint64_t
tsc_us(const struct worker *w, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * w->tsc_mult) >> 32);
}

static inline uint64_t
now_us(const struct worker *w)
{
	return tsc_us(w, rte_rdtsc());
}

static void
arp_input(struct worker *w, uint16_t port, struct rte_mbuf *m, struct pkt_info *pi)
{
	struct wport *p = &w->ports[port];
	struct rte_arp_ipv4 *d = &pi->arp->arp_data;
	struct rte_mbuf *released[ARP_HOLD_MAX];
	unsigned int n = 0;

	w->st.arp_rx++;
	/* Learn the sender from requests and replies alike when it is on our subnet (RFC 826). */
	if (d->arp_sip != 0 && ((d->arp_sip ^ p->addr.ip) & p->addr.mask) == 0)
		n = arp_learn(&w->arp, d->arp_sip, &d->arp_sha, w->conn->tcp.now, released);
	for (unsigned int i = 0; i < n; i++)
		worker_tx(w, port, released[i]);
	if (pi->arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY)) {
		rte_pktmbuf_free(m);	/* consumed: its content was learned */
		return;
	}
	if (pi->arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST)) {
		worker_drop(w, m, TCPE_DROP_ARP_OP);
		return;
	}
	if (!arp_reply_in_place(m, pi, &p->addr)) {
		worker_drop(w, m, TCPE_DROP_ARP_NOT_FOR_US);
		return;
	}
	w->st.arp_tx++;
	worker_tx(w, port, m);
}

/* A neighbour's advertisement: client mode may be waiting for it (the server answers whoever
 * writes to it at the source MAC of what it wrote: it has nothing to learn). */
static void
neighbour_advert(struct worker *w, uint16_t port, const struct pkt_info *pi)
{
	struct client *k = w->client;
	struct rte_ether_addr mac;

	if (k != NULL && port == 0 && client_wants6(k, (const uint8_t *)pi->icmp + 8) &&
	    nd_advert_mac(pi, k->next_hop6, &mac))
		client_set_mac(k, &mac, w->conn->tcp.now);
}

/* ICMPv6 for us: neighbour solicitations and echo requests answered in place, advertisements
 * taken note of. */
static void
icmp6_input(struct worker *w, uint16_t port, struct rte_mbuf *m, const struct pkt_info *pi,
	    enum pkt_class k)
{
	w->st.ip6_rx++;
	if (k == PKT_ICMP6_ECHO) {
		w->st.icmp6_rx++;
		icmp6_echo_reply_in_place(m, pi, &w->tx[port]);
		w->st.icmp6_tx++;
	} else {
		w->st.nd_rx++;
		if (k == PKT_ND_NA) {
			neighbour_advert(w, port, pi);
			rte_pktmbuf_free(m);
			return;
		}
		if (!nd_advert_in_place(m, pi, &w->tx[port])) {
			worker_drop(w, m, TCPE_DROP_ND_MALFORMED);
			return;
		}
		w->st.nd_tx++;
	}
	w->st.ip6_tx++;
	worker_tx(w, port, m);
}

/* A tcpe peer is about to close the link: the control core stops our polling, then answers. */
static void
leave_input(struct worker *w, uint16_t port, struct rte_mbuf *m, const struct pkt_info *pi)
{
	w->st.leave_rx++;
	if (pi->leave == LEAVE_REQ)
		link_peer_leaving(w->ports[port].link);
	rte_pktmbuf_free(m);
}

/* A segment that arrived on our queue but belongs to another worker: hand it over. */
static bool
steer_away(struct worker *w, struct rte_mbuf *m, const struct pkt_info *pi)
{
	unsigned int owner = steer_owner_pkt(&w->steer, pi);

	if (owner == w->index)
		return false;
	if (rte_ring_sp_enqueue(w->steer.out[owner], m) != 0)
		worker_drop(w, m, TCPE_DROP_STEER_FULL);
	else
		w->st.steered_out++;
	return true;
}

/*
 * Receive livelock (Mogul and Ramakrishnan, "Eliminating receive livelock in an interrupt-driven
 * kernel"): a worker offered more connections than it can finish must spend its cycles on the
 * ones it has started. conn_input_burst() takes every other segment of a burst before its new
 * SYNs; what they decide is sent before the next poll; and a worker that was at least
 * WORKER_ADMIT_BUSY_PCT busy over the last WORKER_LOAD_WINDOW_US sheds new SYNs (dropped here,
 * the cheapest place: no lookup, no state, counted as syn_shed; the peer may retry) in two cases:
 *  - packets: a window of WORKER_ADMIT_WINDOW_US in which no RX poll found its ring drained
 *    (every burst came back full) marks the worker saturated for the next one; then a SYN that
 *    finds the SYN backlog full goes, instead of costing a cookie to compute and then to check.
 *    A worker with cycles to spare answers it with a cookie (a SYN flood does not lock real
 *    clients out), and so does one whose ring fills in bursts it still keeps up with: a shed
 *    SYN costs its client a retransmission timeout, a cookie costs the worker a microsecond.
 *  - work: the busy window also saw applications held back (the send budget refused them, or
 *    their input had to be held or refused: connections already admitted are waiting for the
 *    worker), and the records in use exceed what it releases in WORKER_ADMIT_LATENCY_US
 *    (Little's law: the connections it would hold would wait longer than that; never below
 *    WORKER_ADMIT_FLOOR). Admitting more would only lengthen the queue until clients give up on
 *    connections the worker has already spent its cycles on. A busy worker whose connections are
 *    all served (keep-alive clients at its capacity, however many) and one holding millions of
 *    idle connections shed nothing.
 * Apart from the load, a SYN that arrives while its port's transmit queue is backed up is shed
 * too (tcp_syn_tx_full): its SYN-ACK could not leave, and would take the TX buffer's last slots,
 * kept for the ACKs, FINs and resends of the connections there. Over memif with tcpe's client
 * offering 1-3x (its receive ring is the server's transmit queue), the server's tx_full drops
 * fell from 7-83 k to 5-20 k per step with it.
 *
 * Measured over memif (README, "Overload and hostile peers"), shedding whenever the ring stayed
 * saturated, or past a limit on handshakes in progress, answered less than this, not more: each
 * shed SYN is a client error or a retransmission, and a client that queues behind a full ring
 * already paces itself. So did shedding while the handshake RTT stood 1 ms above its recent
 * minimum (a CoDel-like standing-queue test): half the answers at 1x, and a closed-loop client
 * with 2048 connections in flight collapsed.
 */
static void
admission(struct worker *w, uint64_t now)
{
	uint64_t span, closed, limit, held_back;
	bool was = w->adm_busy && (w->adm_saturated || w->adm_held_back);

	if (now - w->adm_start < WORKER_ADMIT_WINDOW_US)
		return;
	w->adm_saturated = !w->adm_drained;
	w->adm_drained = false;
	w->adm_start = now;
	span = now - w->load_start;
	if (span >= WORKER_LOAD_WINDOW_US) {
		closed = w->st.conn_closed - w->load_closed;
		/* released per window, x8, averaged over ~8 windows */
		w->load_closed8 += closed - (w->load_closed8 >> 3);
		limit = (w->load_closed8 >> 3) * (WORKER_ADMIT_LATENCY_US / WORKER_LOAD_WINDOW_US);
		w->adm_conn_limit = RTE_MAX(limit, (uint64_t)WORKER_ADMIT_FLOOR);
		held_back = w->st.send_refused + w->st.drop[TCPE_DROP_TCP_RCV_FULL];
		w->adm_busy = (w->st.busy_us - w->load_busy) * 100 >= span * WORKER_ADMIT_BUSY_PCT;
		w->adm_held_back = held_back != w->load_held_back || w->st.rcv_held > 0;
		w->load_start = now;
		w->load_busy = w->st.busy_us;
		w->load_closed = w->st.conn_closed;
		w->load_held_back = held_back;
	}
	if (!was && w->adm_busy && (w->adm_saturated || w->adm_held_back))
		w->st.shed_periods++;
}

/* True when port @p port's transmit queue refused frames at the last flush and the buffer behind
 * it is down to the slots it keeps for the connections it has (WORKER_TX_RESERVE). */
static inline bool
tx_backed_up(const struct worker *w, uint16_t port)
{
	const struct txbuf *b = &w->ports[port].txb;

	return b->ndefer != 0 && b->n + WORKER_TX_RESERVE >= TXBUF_SIZE;
}

/* Why a new SYN arriving on port @p port cannot be taken now (TCPE_DROP__COUNT: it can). Its
 * SYN-ACK could not leave a backed-up port (it would take the room the connections there need
 * for their ACKs, FINs and resends, and die as tx_full); or admission() says the worker is
 * overloaded. */
static inline unsigned int
shed(struct worker *w, uint16_t port, const struct pkt_info *pi)
{
	if ((pi->seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return TCPE_DROP__COUNT;
	if (unlikely(tx_backed_up(w, port))) {
		w->st.syn_rx++;
		return TCPE_DROP_TCP_SYN_TX_FULL;
	}
	if (w->adm_busy &&
	    ((w->adm_saturated && w->st.state_now[TCP_SYN_RCVD] >= w->cfg->syn_backlog) ||
	     (w->adm_held_back && w->st.conn_active >= w->adm_conn_limit))) {
		w->st.syn_rx++;
		return TCPE_DROP_TCP_SYN_SHED;
	}
	return TCPE_DROP__COUNT;
}

/* Input from port index @p port, or (@p steered) handed over by another worker, already ours. */
static void
input(struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n, bool steered)
{
	struct pkt_info pi[WORKER_BURST];
	struct pkt_info *tpi[WORKER_BURST];
	struct rte_mbuf *tm[WORKER_BURST];
	const struct net_addr *addr = &w->ports[port].addr;
	unsigned int ntcp = 0;

	for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum pkt_class k;
		uint16_t reason;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (steered) {
			w->st.steered_in++;
		} else {
			w->st.rx_pkts++;
			w->st.rx_bytes += rte_pktmbuf_pkt_len(m);
		}
		/* A frame in several segments (net_memif 25.11 passes a chained sender's segments
		 * on as they came) is copied into its first when it fits; else parse drops it. */
		if (unlikely(m->nb_segs > 1) && rte_pktmbuf_linearize(m) == 0)
			w->st.rx_linearized++;
		switch ((k = pkt_parse(addr, m, &pi[i], &reason))) {
		case PKT_TCP:
			if (pi[i].ip6 != NULL && !steered) {
				w->st.ip6_rx++;
				w->st.tcp6_rx++;
			}
			if (w->steer.on && !steered && steer_away(w, m, &pi[i]))
				break;
			if ((reason = (uint16_t)shed(w, port, &pi[i])) != TCPE_DROP__COUNT) {
				worker_drop(w, m, reason);
				break;
			}
			tm[ntcp] = m;
			tpi[ntcp++] = &pi[i];
			break;
		case PKT_ARP:
			arp_input(w, port, m, &pi[i]);
			break;
		case PKT_ICMP:
			w->st.icmp_rx++;
			icmp_echo_reply_in_place(m, &pi[i], &w->tx[port]);
			w->st.icmp_tx++;
			worker_tx(w, port, m);
			break;
		case PKT_LEAVE:
			leave_input(w, port, m, &pi[i]);
			break;
		case PKT_ICMP6_ECHO:
		case PKT_ND_NS:
		case PKT_ND_NA:
			icmp6_input(w, port, m, &pi[i], k);
			break;
		case PKT_ICMP_TOOBIG:
			if (pi[i].ip6 != NULL) {
				w->st.ip6_rx += !steered;
				w->st.icmp6_rx += !steered;
			} else {
				w->st.icmp_rx += !steered;
			}
			if (w->steer.on && !steered && steer_away(w, m, &pi[i]))
				break;
			conn_icmp_toobig(w->conn, m, &pi[i].key, pi[i].seg.seq, pi[i].mtu);
			break;
		default:
			worker_drop(w, m, reason);
			break;
		}
	}
	if (ntcp > 0)
		conn_input_burst(w->conn, port, tm, tpi, ntcp, NULL);
}

void
worker_input(struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	input(w, port, pkts, n, false);
}

/* The worker's port index for DPDK port @p port_id, or -1. */
static int
port_index(const struct worker *w, uint16_t port_id)
{
	for (uint16_t i = 0; i < w->nports; i++)
		if (w->ports[i].txb.port_id == port_id)
			return i;
	return -1;
}

/* Segments other workers handed to us, grouped by the port they arrived on. */
bool
worker_steer_drain(struct worker *w)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	bool any = false;

	for (uint16_t j = 0; j < w->steer.nworkers; j++) {
		unsigned int n, at = 0;

		if (w->steer.in[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->steer.in[j], (void **)pkts, WORKER_BURST, NULL);
		w->rx_full |= n == WORKER_BURST;
		while (at < n) {
			unsigned int k = at + 1;
			int port = port_index(w, pkts[at]->port);

			while (k < n && pkts[k]->port == pkts[at]->port)
				k++;
			if (port < 0) {
				for (unsigned int d = at; d < k; d++)
					worker_drop(w, pkts[d], TCPE_DROP_STEER_NO_PORT);
			} else {
				input(w, (uint16_t)port, pkts + at, (uint16_t)(k - at), true);
			}
			at = k;
		}
		any |= n > 0;
	}
	return any;
}

/* Client mode: resolve the next hop, then open connections as they are due (fewer when
 * @p rx_behind: this iteration's receive burst came back full). */
static bool
client_step(struct worker *w, uint64_t now, bool rx_behind)
{
	struct client *k = w->client;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	bool want = false;

	if (client_resolved(k))
		return client_tick(k, now, w->ports[0].txb.ndefer > 0, rx_behind);
	if (k->v6) {	/* neighbour discovery: a solicitation a second until advertised */
		if (k->ns_sent_us != 0 && now - k->ns_sent_us < 1000000)
			return false;
		m = nd_solicit(w->mp, &w->ports[0].addr, k->next_hop6);
		if (m == NULL)
			return false;
		k->ns_sent_us = now;
		w->st.nd_tx++;
		w->st.ip6_tx++;
		worker_tx(w, 0, m);
		return false;
	}
	if (arp_resolve(&w->arp, client_next_hop(k), now, NULL, &mac, &want) == 1) {
		client_set_mac(k, &mac, now);
	} else if (want && (m = arp_request(w->mp, &w->ports[0].addr, client_next_hop(k))) != NULL) {
		w->st.arp_tx++;
		worker_tx(w, 0, m);
	}
	return false;
}

static void
announce(struct worker *w)
{
	/* A gratuitous ARP per port (RFC 5227 §3) so neighbours learn us before the first SYN, and
	 * an unsolicited neighbour advertisement where the port has IPv6 (RFC 4861 §7.2.6). */
	for (uint16_t i = 0; i < w->nports; i++) {
		struct rte_mbuf *m = arp_request(w->mp, &w->ports[i].addr, w->ports[i].addr.ip);

		if (m == NULL) {
			w->st.drop[TCPE_DROP_NO_MBUF]++;
			continue;
		}
		w->st.arp_tx++;
		worker_tx(w, i, m);
		if (!w->ports[i].addr.has_ip6)
			continue;
		m = nd_announce(w->mp, &w->ports[i].addr);
		if (m == NULL) {
			w->st.drop[TCPE_DROP_NO_MBUF]++;
			continue;
		}
		w->st.nd_tx++;
		w->st.ip6_tx++;
		worker_tx(w, i, m);
	}
}

bool
worker_iterate(struct worker *w)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	uint64_t tsc = rte_rdtsc();
	uint64_t t0 = tsc_us(w, tsc);	/* read once per iteration, passed down */
	bool busy = false, rx_full = false;

	w->rx_full = false;
	conn_set_now(w->conn, t0);
	conn_set_slice(w->conn, tsc);
	/* the control core counts on this moving at the start of every iteration (link.h) */
	__atomic_store_n(&w->st.loops, w->st.loops + 1, __ATOMIC_RELEASE);
	admission(w, t0);
	/* What other workers handed over first: they took it off their queues before we look at
	 * ours, and a flow whose packets reach us both ways keeps its order best like this. */
	if (w->steer.on)
		busy |= worker_steer_drain(w);
	for (uint16_t i = 0; i < w->nports; i++) {
		struct wport *p = &w->ports[i];
		uint16_t n;

		if (!link_pollable(p->link))
			continue;
		n = rte_eth_rx_burst(p->txb.port_id, p->txb.queue, pkts, WORKER_BURST);
		w->adm_drained |= n < WORKER_BURST;
		rx_full |= n == WORKER_BURST;
		if (n == 0)
			continue;
		busy = true;
		worker_input(w, i, pkts, n);
	}
	w->rx_full |= rx_full;
	if (w->client != NULL)
		busy |= client_step(w, t0, rx_full);
	busy |= conn_app_slice(w->conn);
	conn_timers_step(w->conn);
	for (uint16_t i = 0; i < w->nports; i++)
		if (link_pollable(w->ports[i].link))
			txbuf_flush(&w->ports[i].txb, &w->st);
	if (busy) {
		/* Busy share = time in iterations that had work / wall time. */
		uint64_t end = rte_rdtsc();

		w->st.busy_loops++;
		w->st.busy_us += tsc_us(w, end) - t0;
		conn_slice_done(w->conn, end - tsc);
	}
	return busy;
}

/*
 * Interrupt moderation for a poll-mode loop (--rx-coalesce-us, ethtool's rx-usecs): after an
 * iteration in which no burst came back full, the ports are polled again only once the hold has
 * passed since that iteration began. What arrives meanwhile is then received, answered and
 * flushed as one batch, and the costs an iteration pays whatever it carries (the rings' head and
 * tail lines that move between cores, the TX flush, the timer step) are shared by the batch
 * instead of paid for nearly every frame. Only a worker that caught up holds: a full burst (its
 * queue is behind), applications' input left over from a time slice or a client that opened as
 * many as an iteration may (more are due) bring it back at once, so a loaded worker polls back to
 * back as without the option. The wait is counted, not busy.
 */
static void
rx_coalesce(struct worker *w, uint64_t start)
{
	uint64_t hold = __atomic_load_n(&w->rx_hold_tsc, __ATOMIC_RELAXED);
	uint64_t until = start + hold, t, now;

	if (hold == 0 || w->rx_full || conn_app_pending(w->conn) ||
	    (w->client != NULL && client_capped(w->client)))
		return;
	t = now = rte_rdtsc();
	while (now < until && !w->stop) {
		rte_pause();
		now = rte_rdtsc();
	}
	if (now > t)
		w->st.rx_coalesce_us += tsc_us(w, now - t);
}

int
worker_main(void *arg)
{
	struct worker *w = arg;

	conn_set_now(w->conn, now_us(w));
	if (w->index == 0)
		announce(w);
	while (!w->stop) {
		uint64_t start = rte_rdtsc();

		worker_iterate(w);
		rx_coalesce(w, start);
	}
	return 0;
}

/* --- building a worker -------------------------------------------------------------------- */

static void
conn_tx_hook(void *arg, uint16_t port, struct rte_mbuf *m)
{
	worker_tx(arg, port, m);
}

/* A queue that refused frames at the last flush is backed up: new data then only as far as the
 * TX buffer has room (a few slots kept for ACKs and handshakes); otherwise no limit. */
static uint32_t
conn_tx_room_hook(void *arg, uint16_t port)
{
	const struct worker *w = arg;
	const struct txbuf *b = &w->ports[port].txb;

	if (b->ndefer == 0)
		return UINT32_MAX;
	return tx_backed_up(w, port) ? 0 : TXBUF_SIZE - WORKER_TX_RESERVE - b->n;
}

static bool
conn_owns_hook(void *arg, const struct tcp_tuple *key)
{
	const struct worker *w = arg;

	/* an IPv6 key holds a stand-in of the address, not what RSS hashed: not checked */
	return tuple_is_ip6(key) || steer_owner(&w->steer, key) == w->index;
}

/* Queues, addresses and transmit properties of every port, as this worker sees them. */
static void
ports_init(struct worker *w, const struct worker_spec *spec)
{
	const struct tcpe_config *cfg = spec->cfg;

	w->nports = spec->nports;
	for (uint16_t p = 0; p < spec->nports; p++) {
		struct wport *wp = &w->ports[p];
		uint8_t prefix = cfg->ports[p].prefix;

		wp->txb.port_id = spec->port_ids[p];
		wp->txb.queue = (uint16_t)spec->index;
		wp->addr.mac = spec->pinfo[p].mac;
		wp->addr.ip = cfg->ports[p].ip;
		wp->addr.mask = rte_cpu_to_be_32(prefix ? ~0u << (32 - prefix) : 0);
		wp->addr.vlan = cfg->ports[p].vlan;
		wp->txb.vlan = cfg->ports[p].vlan;
		wp->txb.vlan_offload = spec->pinfo[p].tx_vlan;
		if (p == 0) {	/* client mode's --source-ips are port 0's too */
			wp->addr.alias_lo = cfg->source_lo;
			wp->addr.alias_n = cfg->source_n;
		}
		wp->link = &spec->links[p];
		w->tx[p].mac = spec->pinfo[p].mac;
		w->tx[p].cksum_offload = spec->pinfo[p].tx_cksum;
		w->tx[p].multiseg = spec->pinfo[p].tx_multiseg;
		if (config_ip6_none(cfg->ports[p].ip6))
			continue;
		wp->addr.has_ip6 = true;
		memcpy(wp->addr.ip6, cfg->ports[p].ip6, 16);
		memcpy(w->tx[p].ip6, cfg->ports[p].ip6, 16);
		wp->addr.ip6_prefix = cfg->ports[p].prefix6;
		wp->addr.laddr6 = tuple_laddr_ip6(p);
	}
}

/* The secret of IPv6 peers' tuple keys: this worker's own, as the records that use them. */
static int
ip6_key_init(struct worker *w)
{
	uint8_t key[16];

	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return -EIO;
	for (uint16_t p = 0; p < w->nports; p++)
		net_ip6_key_init(&w->ports[p].addr, key, &w->ip6_keys);
	return 0;
}

/*
 * The owner map (DESIGN "Flow steering"): the port's RETA as programmed (entry k -> queue
 * k % n) or 128 entries in software; segments are handed over when a port has no usable RSS
 * (--steer auto) or when asked (--steer on).
 */
static void
steering_init(struct worker *w, const struct worker_spec *spec)
{
	const struct tcpe_config *cfg = spec->cfg;
	bool need = cfg->steer == STEER_ON;
	unsigned int reta = 128;

	for (uint16_t p = 0; p < spec->nports; p++) {
		bool rss = spec->pinfo[p].rss && spec->pinfo[p].reta_size > 0;

		need |= !rss && cfg->steer == STEER_AUTO;
		if (rss)
			reta = spec->pinfo[p].reta_size;
	}
	steer_init(&w->steer, spec->index, spec->nworkers, reta, need && cfg->steer != STEER_OFF);
}

/* Whether the owner map says where a tuple's segments arrive: software steering hands them
 * there, or every port's RSS uses the RETA tcpe programmed. Only then is a record made by
 * another worker a broken invariant (steer_misowned). */
static bool
owner_known(const struct worker *w, const struct worker_spec *spec)
{
	bool rss = true;

	for (uint16_t p = 0; p < spec->nports; p++)
		rss &= spec->pinfo[p].rss && spec->pinfo[p].reta_size > 0;
	return spec->nworkers > 1 && (w->steer.on || rss);
}

/* The trace ring towards the control core (--trace), and the connection table. */
static int
conn_init(struct worker *w, const struct worker_spec *spec, int socket)
{
	struct conn_env env = {
		.index = spec->index, .lcore = spec->lcore, .socket = socket, .mp = spec->mp,
		.st = &w->st, .tx = w->tx, .nports = spec->nports,
		.hooks = { .tx = conn_tx_hook, .tx_room = conn_tx_room_hook, .arg = w,
			   .owns = owner_known(w, spec) ? conn_owns_hook : NULL },
		.now_us = now_us(w), .data_budget = spec->data_budget,
	};
	char name[RTE_RING_NAMESIZE];

	if (spec->cfg->trace > 0) {
		snprintf(name, sizeof(name), "tcpe_trace_%u", spec->index);
		w->trace_ring = rte_ring_create_elem(name, sizeof(struct trace_rec), TRACE_RING_SIZE,
						     socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->trace_ring == NULL)
			return -rte_errno;
	}
	env.trace_ring = w->trace_ring;
	w->conn = conn_table_create(spec->cfg, &env);
	return w->conn != NULL ? 0 : -rte_errno;
}

struct worker *
worker_create(const struct worker_spec *spec)
{
	int socket = (int)rte_lcore_to_socket_id(spec->lcore);
	struct worker *w = rte_zmalloc_socket("tcpe_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
					      socket);
	int rc;

	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->index = (uint16_t)spec->index;
	w->lcore = spec->lcore;
	w->cfg = spec->cfg;
	w->mp = spec->mp;
	w->rx_mp = spec->rx_mp;
	w->tsc_mult = (uint64_t)(((unsigned __int128)1000000 << 32) / rte_get_tsc_hz());
	w->rx_hold_tsc = spec->cfg->rx_coalesce_us * rte_get_tsc_hz() / 1000000;
	ports_init(w, spec);
	steering_init(w, spec);
	arp_cache_init(&w->arp, 300ULL * 1000000, 1000000);
	rc = ip6_key_init(w);
	if (rc == 0)
		rc = conn_init(w, spec, socket);
	if (rc == 0) {
		if (spec->cfg->connect[0] != '\0') {
			w->client = client_create(spec->cfg, spec->index, spec->nworkers, socket,
						  w->conn, &w->steer, &w->ports[0].addr);
			rc = w->client != NULL ? 0 : -rte_errno;
		}
	}
	if (rc != 0) {
		worker_destroy(w);
		rte_errno = -rc;
		return NULL;
	}
	return w;
}

void
worker_destroy(struct worker *w)
{
	if (w == NULL)
		return;
	conn_table_destroy(w->conn);	/* first: client connections' on_closed use the client */
	client_destroy(w->client);
	for (uint16_t i = 0; i < w->nports; i++)
		txbuf_discard(&w->ports[i].txb, &w->st);
	for (uint16_t j = 0; j < STEER_WORKERS_MAX; j++) {
		struct rte_mbuf *m;

		while (w->steer.in[j] != NULL && rte_ring_sc_dequeue(w->steer.in[j], (void **)&m) == 0)
			worker_drop(w, m, TCPE_DROP_NOT_SENT_DOWN);
	}
	steer_free_in(&w->steer);
	arp_cache_flush(&w->arp);
	rte_ring_free(w->trace_ring);
	rte_free(w);
}
