/* arp.c - ARP replies, requests and a small open-addressing neighbour cache per worker. */
#include "arp.h"

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

void
arp_cache_init(struct arp_cache *c, uint64_t ttl_us, uint64_t retry_us)
{
	memset(c, 0, sizeof(*c));
	c->ttl_us = ttl_us;
	c->retry_us = retry_us;
}

static inline unsigned int
slot_of(uint32_t ip)
{
	uint32_t h = ip * 2654435761u;	/* Knuth's multiplicative hash */

	return h >> 26;			/* top 6 bits: ARP_CACHE_SIZE == 64 */
}
_Static_assert(ARP_CACHE_SIZE == 64, "slot_of() takes 6 bits");

/* The entry for ip, or a free (or expired, with no held packets) slot to claim, or NULL. */
static struct arp_entry *
find(struct arp_cache *c, uint32_t ip, uint64_t now_us, bool claim)
{
	unsigned int s = slot_of(ip);
	struct arp_entry *spare = NULL;

	for (unsigned int i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &c->e[(s + i) & (ARP_CACHE_SIZE - 1)];

		if (e->ip == ip)
			return e;
		if (spare == NULL && (e->ip == 0 ||
				      (e->nhold == 0 && now_us - e->stamp_us > c->ttl_us)))
			spare = e;
		if (e->ip == 0)
			break;
	}
	if (!claim || spare == NULL)
		return NULL;
	memset(spare, 0, sizeof(*spare));
	spare->ip = ip;
	return spare;
}

unsigned int
arp_learn(struct arp_cache *c, uint32_t ip, const struct rte_ether_addr *mac, uint64_t now_us,
	  struct rte_mbuf **out)
{
	struct arp_entry *e = find(c, ip, now_us, true);
	unsigned int n;

	if (e == NULL)
		return 0;
	e->mac = *mac;
	e->resolved = true;
	e->stamp_us = now_us;
	n = e->nhold;
	for (unsigned int i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(e->hold[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(mac, &eth->dst_addr);
		out[i] = e->hold[i];
	}
	e->nhold = 0;
	return n;
}

int
arp_resolve(struct arp_cache *c, uint32_t ip, uint64_t now_us, struct rte_mbuf *m,
	    struct rte_ether_addr *mac, bool *want_request)
{
	struct arp_entry *e = find(c, ip, now_us, true);

	*want_request = false;
	if (e == NULL)
		return -ENOSPC;
	if (e->resolved && now_us - e->stamp_us <= c->ttl_us) {
		*mac = e->mac;
		return 1;
	}
	if (e->resolved || e->stamp_us == 0 || now_us - e->stamp_us >= c->retry_us) {
		e->resolved = false;	/* stale: ask again, keep holding */
		e->stamp_us = now_us;
		*want_request = true;
	}
	if (m == NULL)
		return 0;
	if (e->nhold == ARP_HOLD_MAX)
		return -ENOSPC;
	e->hold[e->nhold++] = m;
	return 0;
}

void
arp_cache_flush(struct arp_cache *c)
{
	for (unsigned int i = 0; i < ARP_CACHE_SIZE; i++) {
		for (unsigned int j = 0; j < c->e[i].nhold; j++)
			rte_pktmbuf_free(c->e[i].hold[j]);
		c->e[i].nhold = 0;
	}
}

bool
arp_reply_in_place(struct rte_mbuf *m, const struct pkt_info *pi, const struct net_addr *ifa)
{
	struct rte_arp_hdr *a = pi->arp;
	struct rte_ether_hdr *eth = pi->eth;

	uint32_t tip = a->arp_data.arp_tip;

	if (a->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || !net_addr_is_ours(ifa, tip))
		return false;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = a->arp_data.arp_sha;
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	a->arp_data.arp_sha = ifa->mac;
	a->arp_data.arp_sip = tip;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ifa->mac, &eth->src_addr);
	m->ol_flags = 0;
	rte_pktmbuf_data_len(m) = sizeof(*eth) + sizeof(*a);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	return true;
}

struct rte_mbuf *
arp_request(struct rte_mempool *mp, const struct net_addr *ifa, uint32_t target)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*a));
	a = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&ifa->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = ifa->mac;
	a->arp_data.arp_sip = ifa->ip;
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = target;
	return m;
}
