/* link.c - gating ports whose rings come and go with the link (net_memif), the leave handshake between tcpe peers, and closing such ports in the interrupt thread. */
#include "link.h"

#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>

#include "leave.h"
#include "parse.h"

#define LEAVE_WAIT_MS 1000	/**< how long a leaving side waits for the peer's answer */
#define CLOSE_WAIT_MS 5000	/**< how long the control core waits for the interrupt thread */

void
link_init(struct port_link *l, uint16_t port_id, const char *driver, uint16_t nqueues,
	  const struct rte_ether_addr *mac)
{
	memset(l, 0, sizeof(*l));
	l->port_id = port_id;
	l->nqueues = nqueues;
	l->mac = *mac;
	l->gated = strcmp(driver, "net_memif") == 0;
	l->state = LINK_DOWN;
	l->open = !l->gated;
}

static bool
link_up(const struct port_link *l)
{
	struct rte_eth_link lk;

	return rte_eth_link_get_nowait(l->port_id, &lk) == 0 && lk.link_status;
}

/* Send a leave frame of @p type on queue 0 (no worker uses the port when this is called). */
static void
send_leave(struct port_link *l, struct rte_mempool *mp, uint8_t type)
{
	struct rte_mbuf *m = leave_frame(mp, &l->mac, type);

	if (m == NULL)
		return;
	if (rte_eth_tx_burst(l->port_id, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
	else if (type == LEAVE_ACK)
		l->acks_sent++;
	else
		l->reqs_sent++;
}

void
link_poll(struct port_link *l, struct tcpe_stats *const *st, unsigned int nworkers,
	  struct rte_mempool *mp)
{
	bool up;

	if (!l->gated)
		return;
	up = link_up(l);
	switch (l->state) {
	case LINK_DOWN:
		if (up) {
			/* memif_connect() marks the link up after the regions are mapped */
			l->peer_leaving = 0;
			l->state = LINK_UP;
			__atomic_store_n(&l->open, 1, __ATOMIC_RELEASE);
		}
		break;
	case LINK_UP:
		if (!up) {
			__atomic_store_n(&l->open, 0, __ATOMIC_RELEASE);
			l->state = LINK_DOWN;
		} else if (l->peer_leaving) {
			__atomic_store_n(&l->open, 0, __ATOMIC_SEQ_CST);
			for (unsigned int i = 0; i < nworkers && i < LINK_WORKERS_MAX; i++)
				l->loops0[i] = __atomic_load_n(&st[i]->loops, __ATOMIC_ACQUIRE);
			l->state = LINK_PAUSING;
		}
		break;
	case LINK_PAUSING:
		/* a worker that started an iteration after the gate closed has left the port */
		for (unsigned int i = 0; i < nworkers && i < LINK_WORKERS_MAX; i++)
			if (__atomic_load_n(&st[i]->loops, __ATOMIC_ACQUIRE) < l->loops0[i] + 2)
				return;
		send_leave(l, mp, LEAVE_ACK);
		l->state = LINK_ACKED;
		break;
	case LINK_ACKED:
		if (!up)
			l->state = LINK_DOWN;
		break;
	default:
		break;
	}
}

static void
wait_link_down(const struct port_link *l)
{
	for (unsigned int ms = 0; ms < LEAVE_WAIT_MS && link_up(l); ms++)
		rte_delay_us_sleep(1000);
}

/* Poll every queue of the port once for leave frames; everything else is freed. A request's
 * sender is noted in @p peer. */
static void
poll_leave(struct port_link *l, bool *ack, bool *req, struct rte_ether_addr *peer)
{
	struct rte_mbuf *pkts[32];

	for (uint16_t q = 0; q < l->nqueues; q++) {
		uint16_t n = rte_eth_rx_burst(l->port_id, q, pkts, RTE_DIM(pkts));

		for (uint16_t i = 0; i < n; i++) {
			struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
			const uint8_t *p = (const uint8_t *)(eth + 1);

			if (rte_pktmbuf_data_len(pkts[i]) >= LEAVE_LEN &&
			    eth->ether_type == RTE_BE16(LEAVE_ETHERTYPE) &&
			    memcmp(p, LEAVE_MAGIC, 7) == 0) {
				*ack |= p[7] == LEAVE_ACK;
				if (p[7] == LEAVE_REQ) {
					*req = true;
					rte_ether_addr_copy(&eth->src_addr, peer);
				}
			}
			rte_pktmbuf_free(pkts[i]);
		}
	}
}

void
link_leave(struct port_link *l, struct rte_mempool *mp)
{
	uint64_t end;

	if (!l->gated || !link_up(l))
		return;
	if (l->state == LINK_ACKED || l->peer_leaving) {
		/* the peer asked first (and was answered, or is answered now): it closes */
		if (l->state != LINK_ACKED)
			send_leave(l, mp, LEAVE_ACK);
		wait_link_down(l);
		return;
	}
	send_leave(l, mp, LEAVE_REQ);
	end = rte_get_timer_cycles() + rte_get_timer_hz() * LEAVE_WAIT_MS / 1000;
	while (rte_get_timer_cycles() < end && link_up(l)) {
		struct rte_ether_addr peer;
		bool ack = false, req = false;

		poll_leave(l, &ack, &req, &peer);
		if (ack)
			return;	/* the peer polls no more: ours to close */
		if (req && memcmp(&l->mac, &peer, sizeof(peer)) > 0) {
			/* Both leave at once. The higher MAC answers and polls no more; the lower,
			 * which keeps polling for that answer, closes first. */
			send_leave(l, mp, LEAVE_ACK);
			wait_link_down(l);
			return;
		}
		rte_delay_us_sleep(500);
	}
}

/* True when @p port_id is a net_memif in the server role (its devargs do not say role=client). */
static bool
memif_server(uint16_t port_id)
{
	struct rte_eth_dev_info di;
	const struct rte_devargs *da = NULL;

	if (rte_eth_dev_info_get(port_id, &di) == 0 && di.device != NULL)
		da = rte_dev_devargs(di.device);
	return da == NULL || da->args == NULL || strstr(da->args, "role=client") == NULL;
}

/* The interrupt thread's half of link_close(). */
struct close_req {
	uint16_t port_id;
	bool stop_only;
	int done;
};

static void
close_in_intr_thread(void *arg)
{
	struct close_req *r = arg;

	rte_eth_dev_stop(r->port_id);
	if (!r->stop_only)
		rte_eth_dev_close(r->port_id);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

bool
link_close(struct port_link *l)
{
	struct close_req *r = calloc(1, sizeof(*r));

	__atomic_store_n(&l->open, 0, __ATOMIC_RELEASE);
	/*
	 * net_memif (22.11 to 25.11, memif_socket_remove_device()) frees its listening socket's
	 * state when the last server device on it closes, but leaves the socket open and registered
	 * with the interrupt thread: a client that connects afterwards makes that thread run the
	 * freed handler in a loop, and it crashes once rte_eal_cleanup() unmaps the memory. A server
	 * port is therefore only stopped (disconnected, its regions unmapped, its listener intact)
	 * and stays open until the process exits.
	 */
	l->stop_only = l->gated && memif_server(l->port_id);
	if (l->gated && r != NULL) {
		r->port_id = l->port_id;
		r->stop_only = l->stop_only;
		if (rte_eal_alarm_set(1, close_in_intr_thread, r) == 0) {
			for (unsigned int ms = 0; ms < CLOSE_WAIT_MS; ms++) {
				if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
					free(r);
					return !l->stop_only;
				}
				rte_delay_us_sleep(1000);
			}
			/* The interrupt thread is stuck elsewhere: take the request back, or leave
			 * it to the callback (r is then never freed, a few bytes at exit). */
			if (rte_eal_alarm_cancel(close_in_intr_thread, r) <= 0)
				return false;
		}
	}
	free(r);
	rte_eth_dev_stop(l->port_id);
	if (l->stop_only)
		return false;
	rte_eth_dev_close(l->port_id);
	return true;
}
