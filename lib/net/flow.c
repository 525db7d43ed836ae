/* flow.c - the per-worker flow table on rte_hash (seeded CRC32 of the 12-byte tuple, not the NIC's RSS hash). */
#include "flow.h"

#include <rte_hash_crc.h>

struct rte_hash *
flow_create(const char *name, uint32_t entries, uint32_t seed, int socket)
{
	struct rte_hash_parameters p = {
		.name = name,
		/* headroom: cuckoo tables fill poorly past ~90 % */
		.entries = entries + entries / 4 + 64,
		.key_len = sizeof(struct tcp_tuple),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = seed,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	return rte_hash_create(&p);
}

void
flow_lookup_bulk(struct rte_hash *h, const struct tcp_tuple **keys, unsigned int n, void **out)
{
	uint64_t hits = 0;

	if (n == 0)
		return;
	rte_hash_lookup_bulk_data(h, (const void **)keys, n, &hits, out);
	for (unsigned int i = 0; i < n; i++)
		if (!(hits & (1ULL << i)))
			out[i] = NULL;
}

void *
flow_lookup(struct rte_hash *h, const struct tcp_tuple *key)
{
	void *data;

	return rte_hash_lookup_data(h, key, &data) >= 0 ? data : NULL;
}

int
flow_add(struct rte_hash *h, const struct tcp_tuple *key, void *data)
{
	int rc = rte_hash_add_key_data(h, key, data);

	return rc < 0 ? -ENOSPC : 0;
}

void
flow_del(struct rte_hash *h, const struct tcp_tuple *key)
{
	rte_hash_del_key(h, key);
}
