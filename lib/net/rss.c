/* rss.c - symmetric RSS key and the software Toeplitz hash used to predict queues. */
#include "rss.h"

#include <string.h>

#include <rte_byteorder.h>
#include <rte_thash.h>

const uint8_t rss_symmetric_key[RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

uint32_t
rss_hash_v4_tcp(const uint8_t *key, uint32_t saddr, uint32_t daddr, uint16_t sport,
		uint16_t dport)
{
	uint32_t tuple[3] = {
		rte_be_to_cpu_32(saddr),
		rte_be_to_cpu_32(daddr),
		(uint32_t)rte_be_to_cpu_16(sport) << 16 | rte_be_to_cpu_16(dport),
	};

	return rte_softrss(tuple, 3, key);
}

uint32_t
rss_hash_v6_tcp(const uint8_t *key, const void *saddr, const void *daddr, uint16_t sport,
		uint16_t dport)
{
	uint32_t tuple[9], w;

	for (unsigned int i = 0; i < 4; i++) {
		memcpy(&w, (const uint8_t *)saddr + 4 * i, 4);
		tuple[i] = rte_be_to_cpu_32(w);
		memcpy(&w, (const uint8_t *)daddr + 4 * i, 4);
		tuple[4 + i] = rte_be_to_cpu_32(w);
	}
	tuple[8] = (uint32_t)rte_be_to_cpu_16(sport) << 16 | rte_be_to_cpu_16(dport);
	return rte_softrss(tuple, 9, key);
}
