/* test_misc.c - SipHash and RFC 6528 ISNs, the counter tables, RSS against Microsoft's vectors, and the eight-byte checksums against DPDK's. */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "cksum.h"
#include "isn.h"
#include "rss.h"
#include "stats.h"
#include "tcb.h"
#include "tcp_suites.h"

static void
siphash_matches_reference_vectors(void)
{
	uint8_t key[16], msg[15];

	for (unsigned int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* The SipHash paper's appendix A and the reference vectors.h */
	CU_ASSERT_EQUAL(siphash24(key, msg, 15), 0xa129ca6149be45e5ULL);
	CU_ASSERT_EQUAL(siphash24(key, msg, 0), 0x726fdb47dd0e0e31ULL);
}

static void
isn_depends_on_tuple_and_clock(void)
{
	uint8_t key[16] = { 1, 2, 3 };
	struct tcp_tuple a = { 1, 2, 3, 4 }, b = { 1, 2, 3, 5 };
	uint32_t i0 = tcp_isn(key, &a, sizeof(a), 1000);

	CU_ASSERT_NOT_EQUAL(i0, tcp_isn(key, &b, sizeof(b), 1000));
	/* M ticks every 4 us (RFC 6528 §3) */
	CU_ASSERT_EQUAL(tcp_isn(key, &a, sizeof(a), 1000 + 400), i0 + 100);
	key[0] ^= 1;
	CU_ASSERT_NOT_EQUAL(i0, tcp_isn(key, &a, sizeof(a), 1000));
}

/* An ISN is recognised as ours for its tuple within the window, and for nothing else. */
static void
isn_recent_recognises_our_own_within_the_window(void)
{
	uint8_t key[16] = { 9, 8, 7 };
	struct tcp_tuple a = { 1, 2, 3, 4 }, b = { 1, 2, 3, 5 };
	uint64_t born = 5000000000ULL, win = 60000000;	/* 60 s */
	uint32_t isn = tcp_isn(key, &a, sizeof(a), born);
	unsigned int passed = 0;

	CU_ASSERT_TRUE(tcp_isn_recent(key, &a, sizeof(a), isn, born, win));
	CU_ASSERT_TRUE(tcp_isn_recent(key, &a, sizeof(a), isn, born + win, win));
	CU_ASSERT_FALSE(tcp_isn_recent(key, &a, sizeof(a), isn, born + win + 4, win));
	CU_ASSERT_FALSE(tcp_isn_recent(key, &a, sizeof(a), isn, born - 4, win));	/* future */
	CU_ASSERT_FALSE(tcp_isn_recent(key, &b, sizeof(b), isn, born + 1000, win));
	key[1] ^= 1;
	CU_ASSERT_FALSE(tcp_isn_recent(key, &a, sizeof(a), isn, born + 1000, win));
	key[1] ^= 1;
	/* across the 32-bit wrap of the 4 us clock (every ~4.8 hours) */
	born = (1ULL << 34) - 400;
	isn = tcp_isn(key, &a, sizeof(a), born);
	CU_ASSERT_TRUE(tcp_isn_recent(key, &a, sizeof(a), isn, born + 2000, win));
	/* guesses: a 1 s window passes ~1 in 2^32 / 250 000 = 17 180 */
	for (uint32_t g = 0; g < 100000; g++)
		passed += tcp_isn_recent(key, &a, sizeof(a), g * 42949u, born, 1000000);
	CU_ASSERT(passed < 30);
}

static void
stat_names_are_unique_and_cover_every_word(void)
{
	/* every word up to the last counter; what follows is cache-line padding */
	const size_t words = (offsetof(struct tcpe_stats, rtt_hist) +
			      sizeof(((struct tcpe_stats *)0)->rtt_hist)) / 8;
	uint8_t seen[sizeof(struct tcpe_stats) / 8] = { 0 };

	CU_ASSERT_EQUAL(tcpe_stat_ndescs, words);
	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++) {
		CU_ASSERT(tcpe_stat_descs[i].index < tcpe_stat_ndescs);
		seen[tcpe_stat_descs[i].index]++;
		for (unsigned int j = i + 1; j < tcpe_stat_ndescs; j++)
			CU_ASSERT(strcmp(tcpe_stat_descs[i].name, tcpe_stat_descs[j].name) != 0);
	}
	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++)
		CU_ASSERT_EQUAL(seen[i], 1);
	CU_ASSERT_STRING_EQUAL(tcp_state_name(TCP_SYN_RCVD), "SYN_RECEIVED");
	CU_ASSERT_STRING_EQUAL(tcpe_drop_name(TCPE_DROP_TCP_CKSUM), "tcp_cksum");
	CU_ASSERT_EQUAL(sizeof(struct tcpe_stats) % 64, 0);
}

/* Microsoft's "Verifying the RSS Hash Calculation" vectors, IPv4 with TCP ports. */
static void
rss_matches_microsoft_vectors(void)
{
	static const uint8_t ms_key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
		0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
		0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};
	static const struct {
		const char *dst; uint16_t dport; const char *src; uint16_t sport; uint32_t hash;
	} v[] = {
		{ "161.142.100.80", 1766, "66.9.149.187", 2794, 0x51ccc178 },
		{ "65.69.140.83", 4739, "199.92.111.2", 14230, 0xc626b0ea },
		{ "12.22.207.184", 38024, "24.19.198.95", 12898, 0x5c2b394a },
		{ "209.142.163.6", 2217, "38.27.205.30", 48228, 0xafc7327f },
		{ "202.188.127.2", 1303, "153.39.163.191", 44251, 0x10e828a2 },
	};

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct in_addr s, d;

		inet_pton(AF_INET, v[i].src, &s);
		inet_pton(AF_INET, v[i].dst, &d);
		CU_ASSERT_EQUAL(rss_hash_v4_tcp(ms_key, s.s_addr, d.s_addr, htons(v[i].sport),
						htons(v[i].dport)), v[i].hash);
	}
}

static void
rss_symmetric_key_hashes_both_directions_alike(void)
{
	for (uint32_t i = 1; i < 200; i++) {
		uint32_t a = htonl(0xc6120000u + i), b = htonl(0xc6120101u + 7 * i);
		uint16_t pa = htons((uint16_t)(1024 + 13 * i)), pb = htons(80);

		CU_ASSERT_EQUAL(rss_hash_v4_tcp(rss_symmetric_key, a, b, pa, pb),
				rss_hash_v4_tcp(rss_symmetric_key, b, a, pb, pa));
	}
}

/* A byte generator for the checksum tests (xorshift: repeatable). */
static uint8_t
next_byte(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return (uint8_t)*x;
}

static void
net_sum_folds_as_dpdk_sums(void)
{
	static uint8_t buf[700];
	uint32_t x = 12345;

	/* random bytes, then all ones and all zeros (the folds' edge: 0xffff and 0) */
	for (unsigned int fill = 0; fill < 3; fill++) {
		for (unsigned int i = 0; i < sizeof(buf); i++)
			buf[i] = fill == 0 ? next_byte(&x) : fill == 1 ? 0xff : 0;
		for (uint32_t n = 0; n <= 600; n++)
			for (uint32_t off = 0; off < 4; off++) {
				uint32_t init = fill == 2 ? 0 : n * 2654435761u % 0x3ffff;
				uint16_t want = __rte_raw_cksum_reduce(__rte_raw_cksum(buf + off, n,
										       init));

				CU_ASSERT_EQUAL_FATAL(net_fold(net_sum(buf + off, n, init)), want);
				CU_ASSERT_EQUAL_FATAL(__rte_raw_cksum_reduce(net_raw(buf + off, n, init)),
						      want);
			}
	}
	/* carries out of bit 63 wrap around */
	CU_ASSERT_EQUAL(net_fold(net_sum_add(UINT64_MAX - 1, 3)), 2);
}

static void
tcp4_check_agrees_with_dpdk(void)
{
	static uint8_t pkt[20 + 1500];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt;
	uint32_t x = 777;

	for (uint32_t l4 = 20; l4 <= 1500; l4 += l4 < 300 ? 1 : 97) {
		for (unsigned int i = 0; i < sizeof(pkt); i++)
			pkt[i] = next_byte(&x);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4));
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		((struct rte_tcp_hdr *)(ip + 1))->cksum = 0;
		((struct rte_tcp_hdr *)(ip + 1))->cksum = rte_ipv4_udptcp_cksum(ip, ip + 1);
		CU_ASSERT_TRUE_FATAL(net_ipv4_hdr_ok(ip, 20));
		CU_ASSERT_TRUE_FATAL(net_tcp4_ok(ip, ip + 1, l4));
		/* one bit flipped anywhere in the segment or the addresses: refused */
		for (uint32_t bit = 0; bit < 8 * l4; bit += 8 * l4 / 16 + 5) {
			pkt[20 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			CU_ASSERT_FALSE_FATAL(net_tcp4_ok(ip, ip + 1, l4));
			pkt[20 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		ip->src_addr ^= rte_cpu_to_be_32(1u << (l4 % 32));
		CU_ASSERT_FALSE(net_tcp4_ok(ip, ip + 1, l4));
		CU_ASSERT_FALSE(net_ipv4_hdr_ok(ip, 20));
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), -1);
	}
}

static void
tcp6_check_agrees_with_dpdk(void)
{
	static uint8_t pkt[40 + 1500];
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)pkt;
	uint32_t x = 4242;

	for (uint32_t l4 = 20; l4 <= 1500; l4 += l4 < 300 ? 1 : 97) {
		for (unsigned int i = 0; i < sizeof(pkt); i++)
			pkt[i] = next_byte(&x);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)l4);
		ip6->proto = IPPROTO_TCP;
		((struct rte_tcp_hdr *)(ip6 + 1))->cksum = 0;
		((struct rte_tcp_hdr *)(ip6 + 1))->cksum = rte_ipv6_udptcp_cksum(ip6, ip6 + 1);
		CU_ASSERT_TRUE_FATAL(net_tcp6_ok(ip6, ip6 + 1, l4));
		for (uint32_t bit = 0; bit < 8 * (32 + l4); bit += 8 * l4 / 16 + 3) {
			/* the addresses (bytes 8-39 of the header), then the segment */
			uint8_t *b = bit / 8 < 32 ? pkt + 8 + bit / 8 : pkt + 40 + (bit / 8 - 32);

			*b ^= (uint8_t)(1u << (bit % 8));
			CU_ASSERT_FALSE_FATAL(net_tcp6_ok(ip6, ip6 + 1, l4));
			*b ^= (uint8_t)(1u << (bit % 8));
		}
		/* a length that is not the segment's */
		CU_ASSERT_FALSE(net_tcp6_ok(ip6, ip6 + 1, l4 - 2));
	}
}

static const struct test_case cases[] = {
	TEST(siphash_matches_reference_vectors),
	TEST(isn_depends_on_tuple_and_clock),
	TEST(isn_recent_recognises_our_own_within_the_window),
	TEST(stat_names_are_unique_and_cover_every_word),
	TEST(rss_matches_microsoft_vectors),
	TEST(rss_symmetric_key_hashes_both_directions_alike),
	TEST(net_sum_folds_as_dpdk_sums),
	TEST(tcp4_check_agrees_with_dpdk),
	TEST(tcp6_check_agrees_with_dpdk),
	{ NULL, NULL },
};

int
suite_misc(void)
{
	return add_suite("isn, stats, rss, checksums", cases);
}
