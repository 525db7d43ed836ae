/* build.c - header construction for everything tcpe sends (IPv4 and IPv6), with checksum offload or software sums. */
#include "build.h"

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "cksum.h"

#define TCPE_IP_TTL 64

/*
 * Write @p o's TCP header and options at @p th; return the sum of the header's 16-bit words as
 * they lie in memory (checksum 0), taken from the values. Summing the header back from the frame
 * would wait for these stores to reach the cache, and where the frame's line is cold (a new mbuf
 * on a server with thousands of connections in flight) for the whole miss behind them.
 */
static uint32_t
fill_tcp(struct rte_tcp_hdr *th, uint16_t sport, uint16_t dport, const struct tcp_out *o)
{
	const uint8_t off_flags[2] = { (uint8_t)(((sizeof(*th) + o->optlen) / 4) << 4), o->flags };
	uint32_t seq = rte_cpu_to_be_32(o->seq), ack = rte_cpu_to_be_32(o->ack);
	uint16_t wnd = rte_cpu_to_be_16(o->wnd), w;
	uint32_t sum;

	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = seq;
	th->recv_ack = ack;
	th->data_off = off_flags[0];
	th->tcp_flags = off_flags[1];
	th->rx_win = wnd;
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(&w, off_flags, sizeof(w));
	/* a 32-bit field is two words in memory whichever the byte order: its two halves */
	sum = (uint32_t)sport + dport + (seq & 0xffff) + (seq >> 16) + (ack & 0xffff) + (ack >> 16) +
	      w + wnd;
	if (o->optlen) {
		memcpy(th + 1, o->opt, o->optlen);
		sum += net_raw(o->opt, o->optlen, 0);	/* a multiple of 4 bytes: words in step */
	}
	return sum;
}

/* The IPv4 header's fields fill_ipv4() writes besides the lengths and addresses, two bytes a
 * word as they lie in memory, and TCP's pseudo-header word (zero, protocol: RFC 9293 §3.1). */
static const uint8_t ipv4_vhl_tos[2] = { RTE_IPV4_VHL_DEF, 0 };
static const uint8_t ipv4_ttl_proto[2] = { TCPE_IP_TTL, IPPROTO_TCP };
static const uint8_t phdr_proto[2] = { 0, IPPROTO_TCP };

static inline uint16_t
word_of(const uint8_t b[2])
{
	uint16_t w;

	memcpy(&w, b, sizeof(w));
	return w;
}

/*
 * Write the IPv4 header at @p ip; return the sum of TCP's pseudo-header (unfolded) and set
 * @p ip_sum to the header's own, both taken from the values (see fill_tcp()).
 */
static uint32_t
fill_ipv4(struct rte_ipv4_hdr *ip, uint32_t src, uint32_t dst, uint16_t l4_len, uint32_t *ip_sum)
{
	uint16_t total = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	uint32_t addrs = (src & 0xffff) + (src >> 16) + (dst & 0xffff) + (dst >> 16);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = total;
	ip->packet_id = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = TCPE_IP_TTL;
	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	ip->src_addr = src;
	ip->dst_addr = dst;
	*ip_sum = addrs + word_of(ipv4_vhl_tos) + total + RTE_BE16(RTE_IPV4_HDR_DF_FLAG) +
		  word_of(ipv4_ttl_proto);
	return addrs + word_of(phdr_proto) + rte_cpu_to_be_16(l4_len);
}

static void
fill_ipv6(struct rte_ipv6_hdr *ip6, const void *src, const void *dst, uint16_t l4_len)
{
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(l4_len);
	ip6->proto = IPPROTO_TCP;
	ip6->hop_limits = TCPE_IP_TTL;
	memcpy(&ip6->src_addr, src, 16);
	memcpy(&ip6->dst_addr, dst, 16);
}

void
build_ipv4_cksum(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, const struct tx_props *tx)
{
	ip->hdr_checksum = 0;
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = rte_ipv4_hdr_len(ip);
	if (tx->cksum_offload && m->nb_segs == 1)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * Ones'-complement sum of @p len bytes from offset @p off of a chained mbuf. DPDK 22.11's
 * rte_raw_cksum_mbuf() byte-swaps an unfolded partial sum after a segment that ends at an odd
 * offset and loses its carries; here each segment's sum is folded first (RFC 1071 §2(B)).
 */
uint16_t
build_cksum_chain(const struct rte_mbuf *m, uint32_t off, uint32_t len, const struct body_sums *bs)
{
	uint64_t sum = 0;
	uint32_t done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && done < len) {
		uint32_t n = m->data_len - off;
		uint16_t part;

		if (n > len - done)
			n = len - done;
		const void *p = rte_pktmbuf_mtod_offset(m, const void *, off);
		uint32_t raw;

		if (bs == NULL || !body_sum(bs, p, n, &raw))
			raw = net_raw(p, n, 0);
		part = __rte_raw_cksum_reduce(raw);
		/* bytes that start at an odd offset of the whole sit in the other half-word */
		sum += (done & 1) ? (uint16_t)((part << 8) | (part >> 8)) : part;
		done += n;
		off = 0;
		m = m->next;
	}
	while (sum >> 16)	/* (one or two steps: it adds 16-bit parts) */
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The TCP checksum behind a pseudo-header summing to @p phdr (IPv4's or IPv6's, without the
 * offload flags' exceptions): that sum as the device's seed (with @p ip_flag, the family's TX
 * flag), or the full sum here - from the header's sum @p hsum (fill_tcp(), @p hlen bytes) when
 * the payload's sum @p psum is known (>= 0) or there is no payload, else over the frame (over
 * the chain when it is chained).
 */
static void
tcp_sum(struct rte_mbuf *m, struct rte_tcp_hdr *th, const struct tx_props *tx, int32_t psum,
	uint16_t phdr, uint64_t ip_flag, uint32_t hsum, uint32_t hlen)
{
	uint32_t sum;

	if (tx->cksum_offload && m->nb_segs == 1) {
		m->ol_flags |= ip_flag | RTE_MBUF_F_TX_TCP_CKSUM;
		m->l4_len = (uint8_t)hlen;
		th->cksum = phdr;
		return;
	}
	uint32_t l4_off = (uint32_t)((uint8_t *)th - rte_pktmbuf_mtod(m, uint8_t *));
	uint32_t l4_len = rte_pktmbuf_pkt_len(m) - l4_off;

	if (psum >= 0 || l4_len == hlen) {
		/* the header is a multiple of 4 bytes: the payload's words stay in step */
		sum = hsum + phdr + (psum >= 0 ? (uint32_t)psum : 0);
	} else {
		sum = m->nb_segs > 1 ? build_cksum_chain(m, l4_off, l4_len, NULL) + (uint32_t)phdr :
				       net_raw(th, l4_len, phdr);
	}
	th->cksum = (uint16_t)~net_fold16(sum);
}

/*
 * IPv4's header checksum, then TCP's, from the sums fill_ipv4() and fill_tcp() took of what they
 * wrote (@p ip_sum, @p phdr_sum, @p hsum; the sum's byte order is the memory's, like
 * __rte_raw_cksum()'s), or the device's.
 */
static void
tcp_cksum(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct rte_tcp_hdr *th,
	  const struct tx_props *tx, int32_t psum, uint32_t ip_sum, uint32_t phdr_sum,
	  uint32_t hsum, uint32_t hlen)
{
	if (tx->cksum_offload && m->nb_segs == 1) {
		build_ipv4_cksum(m, ip, tx);	/* sets TX_IPV4 */
		tcp_sum(m, th, tx, psum, net_fold16(phdr_sum), 0, hsum, hlen);
		return;
	}
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(*ip);
	ip->hdr_checksum = (uint16_t)~net_fold16(ip_sum);
	tcp_sum(m, th, tx, psum, net_fold16(phdr_sum), 0, hsum, hlen);
}

/* tcp_cksum() over IPv6's pseudo-header (RFC 8200 §8.1); IPv6 has no header checksum. */
static void
tcp6_cksum(struct rte_mbuf *m, struct rte_ipv6_hdr *ip6, struct rte_tcp_hdr *th,
	   const struct tx_props *tx, int32_t psum, uint32_t hsum, uint32_t hlen)
{
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(*ip6);
	tcp_sum(m, th, tx, psum, rte_ipv6_phdr_cksum(ip6, 0), RTE_MBUF_F_TX_IPV6, hsum, hlen);
}

int
build_tcp6_psum(struct rte_mbuf *m, const struct tx_props *tx, const struct rte_ether_addr *dst,
		const void *raddr6, const struct tcp_tuple *tuple, const struct tcp_out *o,
		int32_t psum)
{
	unsigned int tcp_len = sizeof(struct rte_tcp_hdr) + o->optlen;
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct rte_tcp_hdr *th;
	uint32_t hsum;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, (uint16_t)(HDRS6_LEN + o->optlen));
	if (eth == NULL)
		return -ENOSPC;
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	th = (struct rte_tcp_hdr *)(ip6 + 1);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	fill_ipv6(ip6, tx->ip6, raddr6, (uint16_t)(tcp_len + o->len));
	hsum = fill_tcp(th, tuple->lport, tuple->rport, o);
	tcp6_cksum(m, ip6, th, tx, psum, hsum, tcp_len);
	return 0;
}

/* build_tcp_reply_in_place() of an IPv6 frame (no extension headers: parse took none). */
static void
reply6_in_place(struct rte_mbuf *m, struct rte_ipv6_hdr *ip6, const struct tx_props *tx,
		const struct tcp_out *o)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip6 + 1);
	uint16_t sport = th->src_port, dport = th->dst_port;
	uint8_t src[16], dst[16];
	uint32_t hsum;

	memcpy(src, &ip6->src_addr, 16);
	memcpy(dst, &ip6->dst_addr, 16);
	fill_ipv6(ip6, dst, src, (uint16_t)(sizeof(*th) + o->optlen));
	hsum = fill_tcp(th, dport, sport, o);
	m->ol_flags = 0;
	rte_pktmbuf_data_len(m) = (uint16_t)(HDRS6_LEN + o->optlen);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	tcp6_cksum(m, ip6, th, tx, -1, hsum, sizeof(*th) + o->optlen);
}

int
build_tcp(struct rte_mbuf *m, const struct tx_props *tx, const struct rte_ether_addr *dst,
	  const struct tcp_tuple *tuple, const struct tcp_out *o)
{
	return build_tcp_psum(m, tx, dst, tuple, o, -1);
}

int
build_tcp_psum(struct rte_mbuf *m, const struct tx_props *tx, const struct rte_ether_addr *dst,
	       const struct tcp_tuple *tuple, const struct tcp_out *o, int32_t psum)
{
	unsigned int tcp_len = sizeof(struct rte_tcp_hdr) + o->optlen;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t ip_sum, phdr_sum, hsum;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, (uint16_t)(HDRS_LEN + o->optlen));
	if (eth == NULL)
		return -ENOSPC;
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	th = (struct rte_tcp_hdr *)(ip + 1);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	phdr_sum = fill_ipv4(ip, tuple->laddr, tuple->raddr, (uint16_t)(tcp_len + o->len), &ip_sum);
	hsum = fill_tcp(th, tuple->lport, tuple->rport, o);
	tcp_cksum(m, ip, th, tx, psum, ip_sum, phdr_sum, hsum, tcp_len);
	return 0;
}

void
build_tcp_reply_in_place(struct rte_mbuf *m, const struct tx_props *tx, const struct tcp_out *o)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th, *nth;
	uint32_t src, dst, ip_sum, phdr_sum, hsum;
	uint16_t sport, dport;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&tx->mac, &eth->src_addr);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		reply6_in_place(m, (struct rte_ipv6_hdr *)(eth + 1), tx, o);
		return;
	}
	th = (struct rte_tcp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	src = ip->src_addr;
	dst = ip->dst_addr;
	sport = th->src_port;
	dport = th->dst_port;
	/* Rebuild from a plain 20-byte IPv4 header: received IP options are not echoed. */
	nth = (struct rte_tcp_hdr *)(ip + 1);
	phdr_sum = fill_ipv4(ip, dst, src, (uint16_t)(sizeof(*nth) + o->optlen), &ip_sum);
	hsum = fill_tcp(nth, dport, sport, o);
	m->ol_flags = 0;
	rte_pktmbuf_data_len(m) = (uint16_t)(HDRS_LEN + o->optlen);
	rte_pktmbuf_pkt_len(m) = rte_pktmbuf_data_len(m);
	tcp_cksum(m, ip, nth, tx, -1, ip_sum, phdr_sum, hsum, sizeof(*nth) + o->optlen);
}
